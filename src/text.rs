//! The text format: parsed with the `wast` crate and encoded to the binary format, which
//! is what the decoder and validator take.

use wast::Wat;
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};

use crate::error::Error;

/// Parses a module in the text format and encodes it; errors carry a 1-based line and
/// column in `text`.
pub(crate) fn encode(text: &str) -> Result<Vec<u8>, Error> {
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
