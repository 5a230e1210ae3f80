//! Running one script: each directive against its expectation.

use std::sync::Arc;

use stratus_decoder::{Features, Proposal};
use stratus_runtime::{CompiledModule, Trap, Val};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::{Id, Span};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastRet};

use crate::check::{Verdict, check_module};
use crate::module_bytes::{ModuleBytes, quote_wat_bytes, wat_bytes};
use crate::panics::catch_panic;
use crate::report::{Location, Mismatch, Phase};
use crate::session::{InstantiateFailure, Session};
use crate::values::{describe, describe_all, describe_expected, matches};
use crate::worker::{Events, RunOptions};

/// The lexer for scripts and quoted modules. The spec allows any Unicode character in
/// strings and comments; `wast` refuses some (bidirectional overrides) unless told.
pub(crate) fn lexer(text: &str) -> Lexer<'_> {
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    lexer
}

/// Parses and runs the script `source` in a store that compiles as `compile` says,
/// its memories checked as `bounds_checks` says, telling `events` about every
/// directive, and at the end about the store's functions.
/// Modules may use the proposals `options.features` allows.
pub(crate) fn execute(source: &str, options: &RunOptions, events: &Events) {
    let buffer = match ParseBuffer::new_with_lexer(lexer(source)) {
        Ok(buffer) => buffer,
        Err(error) => return unparsable(source, &error, events),
    };
    let script = match parser::parse::<Wast<'_>>(&buffer) {
        Ok(script) => script,
        Err(error) => return unparsable(source, &error, events),
    };
    let session = match Session::new(options) {
        Ok(session) => session,
        Err(reason) => return events.fail(None, "script", reason),
    };
    events.watch(session.interrupt_handle());
    let mut runner = ScriptRunner { source, events, session, features: options.features, skipped_now: None };
    for directive in script.directives {
        let location = runner.location(directive.span());
        let keyword = keyword(&directive);
        if !events.start(location, keyword) {
            return; // The caller gave up waiting (a directive overran its time limit).
        }
        if let Err(message) = catch_panic(|| runner.run(directive)) {
            runner.session.recover_after_panic();
            events.fail(Some(location), keyword, format!("Stratus panicked: {message}"));
        }
    }
    events.functions(runner.session.function_counts());
}

fn unparsable(source: &str, error: &wast::Error, events: &Events) {
    let location = Location::of_offset(source, error.span().offset());
    events.fail(Some(location), "script", format!("not a valid .wast script: {}", error.message()));
}

/// The directive's keyword, as failures name it.
fn keyword(directive: &WastDirective<'_>) -> &'static str {
    match directive {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { module: QuoteWat::Wat(_), .. } => "assert_malformed",
        WastDirective::AssertMalformed { .. } => "assert_malformed (quote)",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

/// How a module the script wants turned down should be turned down.
#[derive(Clone, Copy)]
enum Expectation<'a> {
    Malformed(&'a str),
    Invalid(&'a str),
}

/// The result of a directive: `Ok` passes; `Err` is the failure's reason.
type Outcome = Result<(), String>;

struct ScriptRunner<'s> {
    source: &'s str,
    events: &'s Events,
    session: Session,
    features: Features,
    /// The proposal for want of which the module of the directive being run was not
    /// made, once [`ScriptRunner::with_valid`] has skipped it.
    skipped_now: Option<Proposal>,
}

impl ScriptRunner<'_> {
    fn location(&self, span: Span) -> Location {
        Location::of_offset(self.source, span.offset())
    }

    fn run(&mut self, directive: WastDirective<'_>) {
        let span = directive.span();
        let keyword = keyword(&directive);
        self.skipped_now = None;
        if let Some(proposal) = self.needs_skipped_instance(&directive) {
            return self.skip(proposal);
        }
        let outcome = match directive {
            WastDirective::Module(mut module) => {
                let name = module.name();
                let bytes = quote_wat_bytes(&mut module);
                let outcome = self.with_valid(bytes, |runner, module| runner.module(name, &module));
                if let Some(proposal) = self.skipped_now {
                    self.session.skip_module(name.map(|id| id.name()), proposal);
                }
                outcome
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name());
                let bytes = quote_wat_bytes(&mut module);
                let outcome = self.with_valid(bytes, |runner, module| {
                    runner.session.define(name, module);
                    Ok(())
                });
                if let Some(proposal) = self.skipped_now {
                    self.session.skip_definition(name, proposal);
                }
                outcome
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let definition = module.map(|id| id.name());
                if let Some(proposal) = self.session.skipped_definition(definition) {
                    self.session.skip_module(instance.map(|id| id.name()), proposal);
                    return self.skip(proposal);
                }
                Some(self.session.definition(definition).and_then(|m| self.module(instance, &m)))
            }
            WastDirective::AssertMalformed { mut module, message, .. } => {
                let bytes = quote_wat_bytes(&mut module);
                return self.expect_rejected(span, keyword, bytes, Expectation::Malformed(message));
            }
            WastDirective::AssertInvalid { mut module, message, .. } => {
                let bytes = quote_wat_bytes(&mut module);
                return self.expect_rejected(span, keyword, bytes, Expectation::Invalid(message));
            }
            WastDirective::Register { name, module, .. } => {
                let module = module.map(|id| id.name());
                if let Some(proposal) = self.session.skipped_instance(module) {
                    self.session.skip_registration(name, proposal);
                    return self.skip(proposal);
                }
                Some(self.session.register(name, module))
            }
            WastDirective::Invoke(invoke) => {
                Some(self.session.invoke(&invoke).and_then(|result| match result {
                    Ok(_) => Ok(()),
                    Err(trap) => Err(format!("trapped: {}", trap.kind)),
                }))
            }
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(exec, &results),
            WastDirective::AssertTrap { exec, message, .. } => self.assert_trap(exec, message),
            WastDirective::AssertExhaustion { call, message, .. } => {
                Some(self.session.invoke(&call).and_then(|result| expect_trap(result, message)))
            }
            WastDirective::AssertUnlinkable { mut module, message, .. } => {
                let bytes = wat_bytes(&mut module);
                self.with_valid(bytes, |runner, module| match runner.session.instantiate(&module) {
                    Err(InstantiateFailure::Unlinkable(found)) => expect_message(&found, message),
                    Err(other) => Err(format!("expected link error {message:?}, got {other}")),
                    Ok(_) => Err(format!("module linked and instantiated; expected link error {message:?}")),
                })
            }
            // Proposals Stratus does not run: not run.
            WastDirective::AssertException { .. } => return self.skip(Proposal::ExceptionHandling),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => return self.skip(Proposal::Threads),
            WastDirective::AssertSuspension { .. } => return self.events.skip("stack-switching"),
            WastDirective::AssertInvalidCustom { .. } | WastDirective::AssertMalformedCustom { .. } => {
                return self.events.skip("annotations");
            }
        };
        self.finish(span, keyword, outcome);
    }

    fn skip(&mut self, proposal: Proposal) {
        self.skipped_now = Some(proposal);
        self.events.skip(proposal.name());
    }

    /// The proposal for want of which the instance the directive acts on was not made.
    fn needs_skipped_instance(&self, directive: &WastDirective<'_>) -> Option<Proposal> {
        let module = match directive {
            WastDirective::Invoke(invoke) | WastDirective::AssertExhaustion { call: invoke, .. } => {
                invoke.module
            }
            WastDirective::AssertReturn { exec, .. } | WastDirective::AssertTrap { exec, .. } => match exec {
                WastExecute::Invoke(invoke) => invoke.module,
                WastExecute::Get { module, .. } => *module,
                WastExecute::Wat(_) => return None,
            },
            _ => return None,
        };
        self.session.skipped_instance(module.map(|id| id.name()))
    }

    /// Whether a module refused for using `proposal` is skipped rather than counted as
    /// refused: in a run of the 3.0 scripts (any proposal allowed), when the proposal
    /// is part of 3.0 and not allowed. A 2.0 run counts every refusal as one.
    fn skips_for(&self, proposal: Proposal) -> bool {
        let wasm3 = self.features != Features::WASM2;
        wasm3 && proposal.is_wasm3() && !self.features.allows(proposal)
    }

    /// Reports a directive's outcome. `None` means it was already reported (skipped).
    fn finish(&mut self, span: Span, keyword: &'static str, outcome: Option<Outcome>) {
        match outcome {
            None => {}
            Some(Ok(())) => self.events.pass(),
            Some(Err(reason)) => self.events.fail(Some(self.location(span)), keyword, reason),
        }
    }

    /// `(module $name? ...)` and `(module instance ...)`: instantiate, and make the
    /// instance current.
    fn module(&mut self, name: Option<Id<'_>>, module: &Arc<CompiledModule>) -> Outcome {
        match self.session.instantiate(module) {
            Ok(instance) => {
                self.session.set_current(name.map(|id| id.name()), instance);
                Ok(())
            }
            Err(failure) => {
                self.session.clear_current();
                Err(format!("instantiation failed: {failure}"))
            }
        }
    }

    fn assert_return(&mut self, exec: WastExecute<'_>, expected: &[WastRet<'_>]) -> Option<Outcome> {
        let actual = match exec {
            WastExecute::Invoke(invoke) => match self.session.invoke(&invoke) {
                Ok(Ok(values)) => values,
                Ok(Err(trap)) => return Some(Err(format!("trapped: {}", trap.kind))),
                Err(reason) => return Some(Err(reason)),
            },
            WastExecute::Get { module, global, .. } => {
                match self.session.get(module.map(|id| id.name()), global) {
                    Ok(value) => vec![value],
                    Err(reason) => return Some(Err(reason)),
                }
            }
            // Instantiating a module returns nothing.
            WastExecute::Wat(mut module) => {
                let bytes = wat_bytes(&mut module);
                let outcome = self.with_valid(bytes, |runner, module| {
                    runner
                        .session
                        .instantiate(&module)
                        .map(drop)
                        .map_err(|f| format!("instantiation failed: {f}"))
                });
                return match outcome {
                    Some(Ok(())) if !expected.is_empty() => {
                        Some(Err("a module instantiation has no results".into()))
                    }
                    other => other,
                };
            }
        };
        Some(check_results(&actual, expected, &self.session))
    }

    fn assert_trap(&mut self, exec: WastExecute<'_>, message: &str) -> Option<Outcome> {
        match exec {
            WastExecute::Invoke(invoke) => {
                Some(self.session.invoke(&invoke).and_then(|result| expect_trap(result, message)))
            }
            // `assert_uninstantiable` in the reference interpreter's terms: the module is
            // valid and links; its segment initialisation or start function traps.
            WastExecute::Wat(mut module) => {
                let bytes = wat_bytes(&mut module);
                self.with_valid(bytes, |runner, module| match runner.session.instantiate(&module) {
                    Err(InstantiateFailure::Trap(trap)) => expect_message(&trap.kind.to_string(), message),
                    Err(other) => Err(format!("expected trap {message:?}, got {other}")),
                    Ok(_) => Err(format!("module instantiated; expected trap {message:?}")),
                })
            }
            WastExecute::Get { .. } => Some(Err("reading a global cannot trap".to_string())),
        }
    }

    /// Checks that the module decodes and validates, then goes on with `then`. A module
    /// Stratus cannot take is reported here, and `then` is not called. `None` when the
    /// directive was reported already (a component, skipped).
    fn with_valid(
        &mut self,
        bytes: ModuleBytes,
        then: impl FnOnce(&mut Self, Arc<CompiledModule>) -> Outcome,
    ) -> Option<Outcome> {
        let bytes = match bytes {
            ModuleBytes::Binary(bytes) => bytes,
            ModuleBytes::Component => {
                self.skip(Proposal::Components);
                return None;
            }
            ModuleBytes::TextRejected(reason) => {
                return Some(Err(format!("the text format parser rejected the module: {reason}")));
            }
        };
        Some(match check_module(bytes, self.features) {
            Verdict::Accepted(module) => match self.session.skipped_import(&module) {
                Some(proposal) => {
                    self.skip(proposal);
                    return None;
                }
                None => then(self, module),
            },
            Verdict::Panicked(message) => Err(format!("Stratus panicked: {message}")),
            Verdict::Rejected { proposal: Some(proposal), .. } if self.skips_for(proposal) => {
                self.skip(proposal);
                return None;
            }
            Verdict::Rejected { phase, offset, message, .. } => {
                Err(format!("a valid module was rejected as {phase} at 0x{offset:x}: {message}"))
            }
        })
    }

    /// `assert_malformed` and `assert_invalid`: the module must be turned down.
    fn expect_rejected(
        &mut self,
        span: Span,
        keyword: &'static str,
        bytes: ModuleBytes,
        expectation: Expectation<'_>,
    ) {
        let location = self.location(span);
        let bytes = match bytes {
            ModuleBytes::Binary(bytes) => bytes,
            ModuleBytes::Component => return self.skip(Proposal::Components),
            ModuleBytes::TextRejected(reason) => {
                return match expectation {
                    // Malformed text never becomes a module: rejected, as the script wants.
                    Expectation::Malformed(_) => self.events.pass(),
                    Expectation::Invalid(_) => self.events.fail(
                        Some(location),
                        keyword,
                        format!("the text format parser rejected the module: {reason}"),
                    ),
                };
            }
        };
        let (expected_phase, expected) = match expectation {
            Expectation::Malformed(message) => (Phase::Malformed, message),
            Expectation::Invalid(message) => (Phase::Invalid, message),
        };
        match check_module(bytes, self.features) {
            Verdict::Rejected { proposal: Some(proposal), .. } if self.skips_for(proposal) => {
                self.skip(proposal)
            }
            Verdict::Panicked(message) => {
                self.events.fail(Some(location), keyword, format!("Stratus panicked: {message}"))
            }
            Verdict::Accepted(_) => self.events.fail(
                Some(location),
                keyword,
                format!("module was accepted, expected {expected:?}"),
            ),
            Verdict::Rejected { phase, offset, message, .. } => {
                // Rejected, as the script wants: a pass. A different message or stage
                // than the reference interpreter's is worth knowing, not a failure.
                self.events.pass();
                if phase != expected_phase || !message.starts_with(expected) {
                    self.events.mismatch(Mismatch {
                        location,
                        directive: keyword,
                        expected_phase,
                        expected_message: expected.to_string(),
                        found_phase: phase,
                        found_message: message,
                        offset,
                    });
                }
            }
        }
    }
}

/// A trap or link error matches when the script's text is a prefix of Stratus's
/// message, as the reference interpreter compares them.
fn expect_message(found: &str, expected: &str) -> Outcome {
    if found.starts_with(expected) { Ok(()) } else { Err(format!("expected {expected:?}, got {found:?}")) }
}

fn expect_trap(result: Result<Vec<Val>, Trap>, message: &str) -> Outcome {
    match result {
        Err(trap) => expect_message(&trap.kind.to_string(), message).map_err(|e| format!("trap: {e}")),
        Ok(values) => Err(format!("returned {}, expected trap {message:?}", describe_all(&values))),
    }
}

fn check_results(actual: &[Val], expected: &[WastRet<'_>], session: &Session) -> Outcome {
    let expected_text = || {
        let parts: Vec<String> = expected.iter().map(describe_expected).collect();
        format!("[{}]", parts.join(", "))
    };
    if actual.len() != expected.len() {
        return Err(format!("got {}, expected {}", describe_all(actual), expected_text()));
    }
    for (i, (value, pattern)) in actual.iter().zip(expected).enumerate() {
        if !matches(pattern, value, &session.externs, session.profile()) {
            let which = if actual.len() > 1 { format!("result {i}: ") } else { String::new() };
            return Err(format!("{which}got {}, expected {}", describe(value), describe_expected(pattern)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::worker::run_script;

    /// Runs `script` and returns its failures as text, for short assertions.
    fn failures(script: &str) -> Vec<String> {
        run_script("t.wast", script).failures.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn counts_each_kind_of_directive() {
        let script = r#"
            (module (func (result i32) (i32.const 1)))
            (module binary "\00asm" "\01\00\00\00")
            (module quote "(func (export \"f\") (result i32) (i32.const 1))")
            (assert_invalid (module (func (result i32) (i64.const 1))) "type mismatch")
            (assert_malformed (module binary "\00asm" "\02\00\00\00") "unknown binary version")
            (assert_malformed (module quote "(func (i32.bogus))") "unknown operator")
            (assert_return (invoke "f") (i32.const 1))
            (register "m")
            (invoke "f")
        "#;
        let report = run_script("sample.wast", script);
        assert_eq!(report.failures, vec![]);
        assert_eq!((report.counts.passed, report.counts.failed, report.counts.skipped), (9, 0, 0));
        assert_eq!(
            report.to_string(),
            "sample.wast: 9 passed, 0 failed, 0 skipped; functions: 0 compiled, 1 interpreted"
        );
    }

    #[test]
    fn functions_that_ran_are_counted_by_tier() {
        let script = r#"
            (module
              (func (export "a") (result i32) (call $b))
              (func $b (result i32) (i32.const 1))
              (func (export "unused")))
            (assert_return (invoke "a") (i32.const 1))
            (module (func (export "c")))
            (invoke "c")
            (assert_invalid (module (func (result i32) (i64.const 1))) "type mismatch")
        "#;
        let report = run_script("t.wast", script);
        assert_eq!(report.failures, vec![]);
        // Every module of the script is in its one store; `unused` never ran.
        let interpreted = crate::FunctionCounts { compiled: 0, interpreted: 3, osr_entries: 0 };
        assert_eq!(report.functions, interpreted);
        // A script that was not run has none.
        assert_eq!(run_script("t.wast", "(module").functions, crate::FunctionCounts::default());
    }

    #[test]
    fn results_are_checked_exactly() {
        let script = r#"(module
              (func (export "one") (result i32) (i32.const 1))
              (func (export "two") (result i32 f32) (i32.const 2) (f32.const nan:0x600000))
              (func (export "neg0") (result f64) (f64.const -0)))
            (assert_return (invoke "one") (i32.const 1))
            (assert_return (invoke "one") (i32.const 2))
            (assert_return (invoke "one") (i64.const 1))
            (assert_return (invoke "one"))
            (assert_return (invoke "two") (i32.const 2) (f32.const nan:0x600000))
            (assert_return (invoke "two") (i32.const 2) (f32.const nan:arithmetic))
            (assert_return (invoke "two") (i32.const 2) (f32.const nan:canonical))
            (assert_return (invoke "neg0") (f64.const 0))"#;
        assert_eq!(
            failures(script),
            [
                "6:14: assert_return: got i32 1, expected i32 2",
                "7:14: assert_return: got i32 1, expected i64 1",
                "8:14: assert_return: got [i32 1], expected []",
                "11:14: assert_return: result 1: got f32 nan:0x600000, expected f32 nan:canonical",
                "12:14: assert_return: got f64 -0.0, expected f64 0.0",
            ]
        );
    }

    #[test]
    fn traps_and_exhaustion_compare_messages_by_prefix() {
        let script = r#"(module
              (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
              (func $deep (export "deep") (call $deep)))
            (assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
            (assert_trap (invoke "div" (i32.const 0)) "integer divide")
            (assert_trap (invoke "div" (i32.const 0)) "integer overflow")
            (assert_trap (invoke "div" (i32.const 1)) "integer divide by zero")
            (assert_exhaustion (invoke "deep") "call stack exhausted")
            (assert_return (invoke "div" (i32.const 0)) (i32.const 0))
            (invoke "div" (i32.const 0))"#;
        assert_eq!(
            failures(script),
            [
                "6:14: assert_trap: trap: expected \"integer overflow\", got \"integer divide by zero\"",
                "7:14: assert_trap: returned [i32 1], expected trap \"integer divide by zero\"",
                "9:14: assert_return: trapped: integer divide by zero",
                "10:14: invoke: trapped: integer divide by zero",
            ]
        );
    }

    #[test]
    fn link_errors() {
        let script = r#"(module $m (func (export "f") (param i32)) (global (export "g") i32 (i32.const 7)))
            (register "m" $m)
            (assert_unlinkable (module (import "m" "h" (func))) "unknown import")
            (assert_unlinkable (module (import "nowhere" "f" (func))) "unknown import")
            (assert_unlinkable (module (import "m" "f" (func (param i64)))) "incompatible import type")
            (assert_unlinkable (module (import "m" "g" (func))) "incompatible import type")
            (assert_unlinkable (module (import "m" "g" (global (mut i32)))) "incompatible import type")
            (assert_unlinkable (module (import "m" "h" (func))) "incompatible import type")
            (assert_unlinkable (module (import "m" "f" (func (param i32)))) "unknown import")
            (module (import "m" "f" (func (param i32))) (import "m" "g" (global i32)))"#;
        assert_eq!(
            failures(script),
            [
                "8:14: assert_unlinkable: expected \"incompatible import type\", got \"unknown import \\\"m\\\" \\\"h\\\"\"",
                "9:14: assert_unlinkable: module linked and instantiated; expected link error \"unknown import\"",
            ]
        );
    }

    #[test]
    fn registered_and_named_modules() {
        let script = r#"(module $a (global (export "g") (mut i32) (i32.const 1))
              (func (export "set") (param i32) (global.set 0 (local.get 0))))
            (register "a")
            (module $b (import "a" "g" (global $g (mut i32)))
              (func (export "get") (result i32) (global.get $g)))
            (invoke $a "set" (i32.const 5))
            (assert_return (invoke "get") (i32.const 5))
            (assert_return (get $a "g") (i32.const 5))
            (assert_return (invoke $b "get") (i32.const 5))
            (invoke $c "get")
            (invoke "set" (i32.const 1))
            (assert_return (get "nothing") (i32.const 0))
            (invoke $a "set" (i64.const 1))"#;
        assert_eq!(
            failures(script),
            [
                "10:14: invoke: no module named $c",
                "11:14: invoke: no export named \"set\"",
                "12:14: assert_return: no export named \"nothing\"",
                "13:14: invoke: \"set\" has type [i32] -> [], but the script passes [i64]",
            ]
        );
    }

    #[test]
    fn spectest_module_has_the_reference_values() {
        let script = r#"(module
              (import "spectest" "global_i32" (global $i32 i32))
              (import "spectest" "global_i64" (global $i64 i64))
              (import "spectest" "global_f32" (global $f32 f32))
              (import "spectest" "global_f64" (global $f64 f64))
              (import "spectest" "table" (table 10 20 funcref))
              (import "spectest" "memory" (memory 1 2))
              (import "spectest" "print" (func))
              (import "spectest" "print_i32" (func (param i32)))
              (import "spectest" "print_i64" (func (param i64)))
              (import "spectest" "print_f32" (func (param f32)))
              (import "spectest" "print_f64" (func (param f64)))
              (import "spectest" "print_i32_f32" (func (param i32 f32)))
              (import "spectest" "print_f64_f64" (func (param f64 f64)))
              (func (export "globals") (result i32 i64 f32 f64)
                (global.get $i32) (global.get $i64) (global.get $f32) (global.get $f64))
              (func (export "sizes") (result i32 i32) (table.size 0) (memory.size))
              (func (export "grow") (result i32 i32) (table.grow 0 (ref.null func) (i32.const 11)) (memory.grow (i32.const 2)))
              (func (export "print") (call 0) (call 1 (i32.const 1)) (call 6 (f64.const 1) (f64.const 2))))
            (assert_return (invoke "globals") (i32.const 666) (i64.const 666) (f32.const 666.6) (f64.const 666.6))
            (assert_return (invoke "sizes") (i32.const 10) (i32.const 1))
            (assert_return (invoke "grow") (i32.const -1) (i32.const -1))
            (assert_return (invoke "print"))
            (assert_unlinkable (module (import "spectest" "memory" (memory 3))) "incompatible import type")"#;
        assert_eq!(failures(script), Vec::<String>::new());
    }

    #[test]
    fn references_and_vectors() {
        let script = r#"(module
              (func (export "id") (param externref) (result externref) (local.get 0))
              (func (export "null") (result funcref) (ref.null func))
              (func $f (export "func") (result funcref) (ref.func $f))
              (func (export "v") (param v128) (result v128) (local.get 0)))
            (assert_return (invoke "id" (ref.extern 1)) (ref.extern 1))
            (assert_return (invoke "id" (ref.extern 1)) (ref.extern))
            (assert_return (invoke "id" (ref.null extern)) (ref.null extern))
            (assert_return (invoke "null") (ref.null func))
            (assert_return (invoke "func") (ref.func))
            (assert_return (invoke "v" (v128.const i32x4 1 2 3 4)) (v128.const i16x8 1 0 2 0 3 0 4 0))
            (assert_return (invoke "v" (v128.const f32x4 nan 1 -0 0)) (v128.const f32x4 nan:canonical 1 -0 0))
            (assert_return (invoke "id" (ref.extern 2)) (ref.extern 1))
            (assert_return (invoke "null") (ref.null extern))
            (assert_return (invoke "func") (ref.null func))
            (assert_return (invoke "v" (v128.const f32x4 nan 1 0 0)) (v128.const f32x4 nan:canonical 1 -0 0))"#;
        let found = failures(script);
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].starts_with("13:14: assert_return: got ref.extern"), "{}", found[0]);
        assert_eq!(found[1], "14:14: assert_return: got ref.null func, expected ref.null extern");
        assert!(found[2].starts_with("15:14: assert_return: got ref.func"), "{}", found[2]);
        assert!(found[3].starts_with("16:14: assert_return: got v128 0x00000000"), "{}", found[3]);
    }

    #[test]
    fn instantiation_traps_keep_earlier_effects() {
        let script = r#"(module $m (memory (export "mem") 1) (func (export "peek") (result i32) (i32.load8_u (i32.const 0))))
            (register "m" $m)
            (assert_trap (module (import "m" "mem" (memory 1))
                (data (i32.const 0) "\2a") (data (i32.const 65536) "x")) "out of bounds memory access")
            (assert_return (invoke $m "peek") (i32.const 42))
            (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
            (assert_trap (module (func $s unreachable) (start $s)) "out of bounds")
            (assert_trap (module) "unreachable")
            (module $bad (func $s unreachable) (start $s))
            (assert_return (invoke "peek") (i32.const 42))"#;
        assert_eq!(
            failures(script),
            [
                "7:14: assert_trap: expected \"out of bounds\", got \"unreachable\"",
                "8:14: assert_trap: module instantiated; expected trap \"unreachable\"",
                "9:14: module: instantiation failed: trap: unreachable",
                "10:14: assert_return: no module has been instantiated",
            ]
        );
    }

    #[test]
    fn runaway_directive_is_a_failure_not_a_hang() {
        let script = r#"(module (func (export "spin") (local i32)
                (local.set 0 (i32.const 5000000))
                (loop (br 0))))
            (invoke "spin")
            (module)"#;
        // The limit also bounds parsing the script and each module directive: a second
        // leaves room for those on a loaded machine and under emulation (qemu-user),
        // while the loop, which never ends, must still be interrupted.
        let options = crate::RunOptions {
            directive_time_limit: std::time::Duration::from_secs(1),
            ..crate::RunOptions::default()
        };
        let report = crate::run_script_with("spin.wast", script, &options);
        // The loop is interrupted and the script goes on to its last module.
        assert_eq!((report.counts.passed, report.counts.failed), (2, 1), "{:?}", report.failures);
        let failure = report.failures[0].to_string();
        assert_eq!(failure, "4:14: invoke: did not finish within 1 s (an endless loop?): interrupted");
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
        assert_eq!(
            report.to_string(),
            "m.wast: 1 passed, 0 failed, 0 skipped (1 message mismatch); functions: 0 compiled, 0 interpreted"
        );
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
