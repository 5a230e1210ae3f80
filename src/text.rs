//! The text format: how to tell it from the binary format, and its encoding into the
//! binary format (parsed with the `wast` crate), which is what the decoder and validator
//! take. [`crate::Module::new`] and the command line both decide with [`as_text`].
//!
//! The encoder is the `wat` feature (on by default). Without it, [`as_text`] still
//! tells text from binary, so that text gets a clear error, and [`encode`] always
//! fails with [`Error::TextFormatNotBuilt`].

use crate::error::Error;

/// The module's text, or `None` when the bytes are to be decoded as binary: anything
/// starting with a NUL byte (as the `\0asm` magic does, even when truncated), empty, or
/// not UTF-8. Deciding by content, not by extension, means a misnamed file still gets
/// the right diagnostics.
pub fn as_text(bytes: &[u8]) -> Option<&str> {
    match bytes.first() {
        None | Some(0) => None,
        Some(_) => std::str::from_utf8(bytes).ok(),
    }
}

/// Parses a module in the text format and encodes it; errors are [`Error::Text`] with
/// a 1-based line and column in `text`. (In a build without the `wat` feature, always
/// [`Error::TextFormatNotBuilt`].)
#[cfg(feature = "wat")]
pub fn encode(text: &str) -> Result<Vec<u8>, Error> {
    use wast::Wat;
    use wast::lexer::Lexer;
    use wast::parser::{self, ParseBuffer};

    let at = |error: wast::Error| {
        let (line, column) = error.span().linecol_in(text);
        Error::Text { line: line + 1, column: column + 1, message: error.message() }
    };
    // The spec allows any Unicode in strings and comments; `wast` refuses bidirectional
    // overrides unless told.
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buffer = ParseBuffer::new_with_lexer(lexer).map_err(at)?;
    let mut wat = parser::parse::<Wat<'_>>(&buffer).map_err(at)?;
    if let Wat::Component(component) = &wat {
        let (line, column) = component.span.linecol_in(text);
        let message = "components are not supported: expected a core WebAssembly module".to_string();
        return Err(Error::Text { line: line + 1, column: column + 1, message });
    }
    wat.encode().map_err(at)
}

/// The text format is not in this build (no `wat` feature): always
/// [`Error::TextFormatNotBuilt`].
#[cfg(not(feature = "wat"))]
pub fn encode(_text: &str) -> Result<Vec<u8>, Error> {
    Err(Error::TextFormatNotBuilt)
}

#[cfg(test)]
mod tests {
    use super::as_text;

    #[test]
    fn binary_or_text_by_content() {
        assert_eq!(as_text(b"\0asm\x01\0\0\0"), None);
        assert_eq!(as_text(b"\0as"), None);
        assert_eq!(as_text(b""), None);
        assert_eq!(as_text(b"\xff\xfe"), None);
        assert_eq!(as_text(b"(module)"), Some("(module)"));
    }
}
