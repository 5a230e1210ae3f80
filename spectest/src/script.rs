//! Running one script: each directive against its expectation.

use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Span;
use wast::{QuoteWat, Wast, WastDirective, WastExecute};

use crate::check::{Verdict, check_module};
use crate::module_bytes::{ModuleBytes, quote_wat_bytes, wat_bytes};
use crate::report::{FileReport, Location, Mismatch, Phase};

/// The lexer for scripts and quoted modules. The spec allows any Unicode character in
/// strings and comments; `wast` refuses some (bidirectional overrides) unless told.
pub(crate) fn lexer(text: &str) -> Lexer<'_> {
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    lexer
}

/// Runs every directive of the script `source`, reported under `name`.
///
/// A script that does not parse as `.wast` is one failure of the file, located where the
/// parser stopped.
pub fn run_script(name: &str, source: &str) -> FileReport {
    let buffer = match ParseBuffer::new_with_lexer(lexer(source)) {
        Ok(buffer) => buffer,
        Err(error) => return unparsable(name, source, &error),
    };
    let script = match parser::parse::<Wast<'_>>(&buffer) {
        Ok(script) => script,
        Err(error) => return unparsable(name, source, &error),
    };
    let mut runner = ScriptRunner { source, report: FileReport::new(name) };
    for directive in script.directives {
        runner.run(directive);
    }
    runner.report
}

fn unparsable(name: &str, source: &str, error: &wast::Error) -> FileReport {
    let location = Location::of_offset(source, error.span().offset());
    FileReport::unrunnable(name, Some(location), format!("not a valid .wast script: {}", error.message()))
}

/// What a directive says about its module.
#[derive(Clone, Copy)]
enum Expectation<'a> {
    /// It decodes and validates (`module`, `module definition`).
    Valid,
    /// It decodes and validates, and the rest of the directive needs execution
    /// (`assert_unlinkable`, `assert_trap` on a module): checked, then counted as skipped.
    ValidThenSkip,
    Malformed(&'a str),
    Invalid(&'a str),
}

struct ScriptRunner<'s> {
    source: &'s str,
    report: FileReport,
}

impl ScriptRunner<'_> {
    fn location(&self, span: Span) -> Location {
        Location::of_offset(self.source, span.offset())
    }

    fn run(&mut self, directive: WastDirective<'_>) {
        let span = directive.span();
        match directive {
            WastDirective::Module(mut module) => {
                self.expect(span, "module", quote_wat_bytes(&mut module), Expectation::Valid)
            }
            WastDirective::ModuleDefinition(mut module) => {
                self.expect(span, "module definition", quote_wat_bytes(&mut module), Expectation::Valid)
            }
            WastDirective::AssertMalformed { mut module, message, .. } => {
                let bytes = quote_wat_bytes(&mut module);
                let directive = match module {
                    QuoteWat::QuoteModule(..) | QuoteWat::QuoteComponent(..) => "assert_malformed (quote)",
                    QuoteWat::Wat(_) => "assert_malformed",
                };
                self.expect(span, directive, bytes, Expectation::Malformed(message))
            }
            WastDirective::AssertInvalid { mut module, message, .. } => self.expect(
                span,
                "assert_invalid",
                quote_wat_bytes(&mut module),
                Expectation::Invalid(message),
            ),
            WastDirective::AssertUnlinkable { mut module, .. } => {
                self.expect(span, "assert_unlinkable", wat_bytes(&mut module), Expectation::ValidThenSkip)
            }
            WastDirective::AssertTrap { exec: WastExecute::Wat(mut module), .. } => {
                // `assert_uninstantiable` in the reference interpreter's terms: the module
                // is valid; its start function or segment initialisation traps.
                self.expect(span, "assert_trap", wat_bytes(&mut module), Expectation::ValidThenSkip)
            }
            WastDirective::AssertReturn { exec: WastExecute::Wat(mut module), .. } => {
                self.expect(span, "assert_return", wat_bytes(&mut module), Expectation::ValidThenSkip)
            }
            // Everything else needs an instance (or is a proposal's custom-section or
            // threads directive outside Wasm 2.0): skipped until the interpreter exists.
            WastDirective::ModuleInstance { .. }
            | WastDirective::Register { .. }
            | WastDirective::Invoke(_)
            | WastDirective::AssertTrap { .. }
            | WastDirective::AssertReturn { .. }
            | WastDirective::AssertExhaustion { .. }
            | WastDirective::AssertException { .. }
            | WastDirective::AssertSuspension { .. }
            | WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. }
            | WastDirective::Thread(_)
            | WastDirective::Wait { .. } => self.report.skip(),
        }
    }

    /// Checks one module against what the directive expects of it.
    fn expect(
        &mut self,
        span: Span,
        directive: &'static str,
        bytes: ModuleBytes,
        expectation: Expectation<'_>,
    ) {
        let location = self.location(span);
        let bytes = match bytes {
            ModuleBytes::Binary(bytes) => bytes,
            ModuleBytes::Component => return self.report.skip(),
            ModuleBytes::TextRejected(reason) => {
                return match expectation {
                    // Malformed text never becomes a module: rejected, as the script wants.
                    Expectation::Malformed(_) => self.report.pass(),
                    Expectation::Invalid(_) | Expectation::Valid | Expectation::ValidThenSkip => {
                        self.report.fail(
                            Some(location),
                            directive,
                            format!("the text format parser rejected the module: {reason}"),
                        )
                    }
                };
            }
        };
        match (check_module(&bytes), expectation) {
            (Verdict::Panicked(message), _) => {
                self.report.fail(Some(location), directive, format!("Stratus panicked: {message}"))
            }
            (Verdict::Accepted, Expectation::Valid) => self.report.pass(),
            (Verdict::Accepted, Expectation::ValidThenSkip) => self.report.skip(),
            (
                Verdict::Rejected { phase, offset, message },
                Expectation::Valid | Expectation::ValidThenSkip,
            ) => self.report.fail(
                Some(location),
                directive,
                format!("a valid module was rejected as {phase} at 0x{offset:x}: {message}"),
            ),
            (Verdict::Accepted, Expectation::Malformed(expected) | Expectation::Invalid(expected)) => self
                .report
                .fail(Some(location), directive, format!("module was accepted, expected {expected:?}")),
            (Verdict::Rejected { phase, offset, message }, Expectation::Malformed(expected)) => {
                self.rejected(location, directive, (Phase::Malformed, expected), (phase, offset, message))
            }
            (Verdict::Rejected { phase, offset, message }, Expectation::Invalid(expected)) => {
                self.rejected(location, directive, (Phase::Invalid, expected), (phase, offset, message))
            }
        }
    }

    /// A module the script wants rejected was rejected: a pass, and a mismatch to report
    /// when our message or stage differs from the reference interpreter's.
    fn rejected(
        &mut self,
        location: Location,
        directive: &'static str,
        (expected_phase, expected_message): (Phase, &str),
        (found_phase, offset, found_message): (Phase, usize, String),
    ) {
        self.report.pass();
        if found_phase != expected_phase || !found_message.starts_with(expected_message) {
            self.report.mismatches.push(Mismatch {
                location,
                directive,
                expected_phase,
                expected_message: expected_message.to_string(),
                found_phase,
                found_message,
                offset,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::run_script;

    #[test]
    fn counts_each_kind_of_directive() {
        let script = r#"
            (module (func (result i32) (i32.const 1)))
            (module binary "\00asm" "\01\00\00\00")
            (module quote "(func (export \"f\"))")
            (assert_invalid (module (func (result i32) (i64.const 1))) "type mismatch")
            (assert_malformed (module binary "\00asm" "\02\00\00\00") "unknown binary version")
            (assert_malformed (module quote "(func (i32.bogus))") "unknown operator")
            (assert_return (invoke "f") (i32.const 1))
            (register "m")
        "#;
        let report = run_script("sample.wast", script);
        assert_eq!(report.failures, vec![]);
        assert_eq!((report.counts.passed, report.counts.failed, report.counts.skipped), (6, 0, 2));
        assert_eq!(report.to_string(), "sample.wast: 6 passed, 0 failed, 2 skipped");
    }

    #[test]
    fn accepted_invalid_module_is_a_failure_with_its_location() {
        let script = "\n  (assert_invalid (module) \"type mismatch\")";
        let report = run_script("bad.wast", script);
        assert_eq!(report.counts.failed, 1);
        assert_eq!(
            report.failures[0].to_string(),
            "2:4: assert_invalid: module was accepted, expected \"type mismatch\""
        );
    }

    #[test]
    fn rejected_valid_module_is_a_failure() {
        let report = run_script("bad.wast", r#"(module binary "\00asm" "\01\00\00")"#);
        assert_eq!(report.counts.failed, 1);
        assert!(report.failures[0].reason.contains("rejected as malformed"), "{}", report.failures[0]);
    }

    #[test]
    fn message_mismatch_is_informational() {
        let script = r#"(assert_malformed (module binary "\00asm" "\02\00\00\00") "some other text")"#;
        let report = run_script("m.wast", script);
        assert_eq!(report.counts.passed, 1);
        assert_eq!(report.mismatches.len(), 1);
        assert_eq!(report.mismatches[0].expected_message, "some other text");
        assert_eq!(report.to_string(), "m.wast: 1 passed, 0 failed, 0 skipped (1 message mismatch)");
    }

    #[test]
    fn unparsable_script_is_one_failure_never_a_panic() {
        for text in ["(module", "(assert_invalid)", "(bogus)", "\"unterminated", ")"] {
            let report = run_script("broken.wast", text);
            assert_eq!(report.counts.failed, 1, "{text}");
            assert_eq!(report.failures[0].directive, "script");
            assert!(report.failures[0].location.is_some());
        }
    }

    #[test]
    fn text_module_that_does_not_encode_is_a_failure() {
        let report = run_script("t.wast", "(module (func (local.get $missing)))");
        assert_eq!(report.counts.failed, 1);
        assert!(report.failures[0].reason.contains("text format parser rejected"));
    }
}
