//! Turning a script's module (text, `binary` or `quote`) into the bytes Stratus checks.

use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, QuoteWatTest, Wat};

/// What a script's module amounts to before Stratus sees it.
pub(crate) enum ModuleBytes {
    /// The binary encoding (given directly, or produced from the text by `wast`).
    Binary(Vec<u8>),
    /// The text format was rejected by `wast`: the module never reaches Stratus.
    TextRejected(String),
    /// A component-model module: out of scope for a core Wasm runtime.
    Component,
}

/// Encodes a `(module ...)`, `(module binary ...)` or `(module quote ...)`.
pub(crate) fn quote_wat_bytes(module: &mut QuoteWat<'_>) -> ModuleBytes {
    match module {
        QuoteWat::Wat(wat) => wat_bytes(wat),
        QuoteWat::QuoteComponent(..) => ModuleBytes::Component,
        QuoteWat::QuoteModule(..) => match module.to_test() {
            Ok(QuoteWatTest::Binary(bytes)) => ModuleBytes::Binary(bytes),
            Ok(QuoteWatTest::Text(text)) => quoted_text_bytes(&text),
            Err(error) => ModuleBytes::TextRejected(error.message()),
        },
    }
}

/// Encodes a module written inline in the script (text or `binary`).
pub(crate) fn wat_bytes(wat: &mut Wat<'_>) -> ModuleBytes {
    match wat {
        Wat::Component(_) => ModuleBytes::Component,
        Wat::Module(_) => match wat.encode() {
            Ok(bytes) => ModuleBytes::Binary(bytes),
            Err(error) => ModuleBytes::TextRejected(error.message()),
        },
    }
}

/// Parses and encodes the text of a `(module quote ...)`. Like `QuoteWat::encode`, but with
/// the same lexer settings as the script itself: the spec allows any Unicode in strings
/// and comments, while `wast` by default refuses bidirectional-override characters.
fn quoted_text_bytes(text: &[u8]) -> ModuleBytes {
    let Ok(text) = std::str::from_utf8(text) else {
        return ModuleBytes::TextRejected("malformed UTF-8 encoding".to_string());
    };
    let buffer = match ParseBuffer::new_with_lexer(crate::script::lexer(text)) {
        Ok(buffer) => buffer,
        Err(error) => return ModuleBytes::TextRejected(error.message()),
    };
    match parser::parse::<Wat<'_>>(&buffer) {
        Ok(mut wat) => wat_bytes(&mut wat),
        Err(error) => ModuleBytes::TextRejected(error.message()),
    }
}
