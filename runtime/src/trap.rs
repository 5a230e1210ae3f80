//! Traps: why execution stopped, and where.

use std::fmt;

/// Why a trap happened. `Display` gives the WebAssembly reference interpreter's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    /// `call_indirect` through an index past the end of the table.
    UndefinedElement(u32),
    /// `call_indirect` through a null entry.
    UninitializedElement(u32),
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    CallStackExhausted,
    /// The store's fuel ran out where the call could not pause.
    OutOfFuel,
    /// Another thread interrupted the guest.
    Interrupted,
    /// A host function failed.
    Host(String),
    /// A function validated lazily, when first called, is invalid.
    InvalidFunction(String),
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrapKind::UndefinedElement(index) => return write!(f, "undefined element {index}"),
            TrapKind::UninitializedElement(index) => return write!(f, "uninitialized element {index}"),
            TrapKind::Unreachable => "unreachable",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::InvalidConversionToInteger => "invalid conversion to integer",
            TrapKind::CallStackExhausted => "call stack exhausted",
            TrapKind::OutOfFuel => "all fuel consumed",
            TrapKind::Interrupted => "interrupted",
            TrapKind::Host(message) | TrapKind::InvalidFunction(message) => message,
        })
    }
}

impl TrapKind {
    /// The number compiled code reports this trap by (with the element index in `arg`);
    /// host and validation failures have none, the driver reports them itself.
    pub fn code(&self) -> (u32, u32) {
        match self {
            TrapKind::Unreachable => (1, 0),
            TrapKind::MemoryOutOfBounds => (2, 0),
            TrapKind::TableOutOfBounds => (3, 0),
            TrapKind::UndefinedElement(index) => (4, *index),
            TrapKind::UninitializedElement(index) => (5, *index),
            TrapKind::IndirectCallTypeMismatch => (6, 0),
            TrapKind::IntegerDivideByZero => (7, 0),
            TrapKind::IntegerOverflow => (8, 0),
            TrapKind::InvalidConversionToInteger => (9, 0),
            TrapKind::CallStackExhausted => (10, 0),
            TrapKind::OutOfFuel => (11, 0),
            TrapKind::Interrupted => (12, 0),
            TrapKind::Host(_) | TrapKind::InvalidFunction(_) => (0, 0),
        }
    }

    /// The trap [`code`](Self::code) names, if any.
    pub fn from_code(code: u32, arg: u32) -> Option<TrapKind> {
        Some(match code {
            1 => TrapKind::Unreachable,
            2 => TrapKind::MemoryOutOfBounds,
            3 => TrapKind::TableOutOfBounds,
            4 => TrapKind::UndefinedElement(arg),
            5 => TrapKind::UninitializedElement(arg),
            6 => TrapKind::IndirectCallTypeMismatch,
            7 => TrapKind::IntegerDivideByZero,
            8 => TrapKind::IntegerOverflow,
            9 => TrapKind::InvalidConversionToInteger,
            10 => TrapKind::CallStackExhausted,
            11 => TrapKind::OutOfFuel,
            12 => TrapKind::Interrupted,
            _ => return None,
        })
    }
}

/// One frame of a trap's WebAssembly backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// The function's index in its module.
    pub func_index: u32,
    /// Its name from the module's `name` section, if it has one.
    pub func_name: Option<String>,
    /// Offset of the executing instruction in the module's bytes.
    pub module_offset: usize,
}

/// A trap: its kind and the WebAssembly frames active when it happened, innermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    pub kind: TrapKind,
    pub backtrace: Vec<FrameInfo>,
}

impl Trap {
    pub fn new(kind: TrapKind) -> Self {
        Trap { kind, backtrace: Vec::new() }
    }

    pub fn host(message: impl Into<String>) -> Self {
        Trap::new(TrapKind::Host(message.into()))
    }
}

impl From<TrapKind> for Trap {
    fn from(kind: TrapKind) -> Self {
        Trap::new(kind)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        write_backtrace(f, &self.backtrace)
    }
}

/// How many times a repeated frame, or cycle of frames, is listed before the rest of its
/// run is told in one line: enough to see what repeats and where it was called from.
const REPEATS_SHOWN: usize = 2;
/// The fewest frames worth folding into a line; fewer are listed.
const FEWEST_FOLDED: usize = 3;
/// The longest cycle of frames looked for: mutual recursion goes through a few
/// functions, not dozens.
const LONGEST_CYCLE: usize = 8;

/// Writes a backtrace as a trap's `Display` does: a line `wasm backtrace:`, then one line
/// per frame, innermost first, numbered from 0 (nothing at all for no frames).
///
/// Deep recursion gives thousands of identical frames (the same function at the same
/// offset), or of identical cycles (`a` calls `b` calls `a`): such a run is listed
/// twice and the rest folded into one line, `... 19,996 more frames of fib`. Frames
/// after a fold keep their true numbers.
pub fn write_backtrace(f: &mut fmt::Formatter<'_>, frames: &[FrameInfo]) -> fmt::Result {
    if frames.is_empty() {
        return Ok(());
    }
    f.write_str("\nwasm backtrace:")?;
    let mut index = 0;
    while index < frames.len() {
        let Some(run) = repeated_run(&frames[index..]) else {
            write_frame(f, index, &frames[index])?;
            index += 1;
            continue;
        };
        let shown = run.cycle * REPEATS_SHOWN;
        for (offset, frame) in frames[index..index + shown].iter().enumerate() {
            write_frame(f, index + offset, frame)?;
        }
        write!(f, "\n  ... {} more frames of ", with_thousands(run.len - shown))?;
        if run.cycle == 1 {
            write_name(f, &frames[index])?;
        } else {
            f.write_str("the cycle ")?;
            for (position, frame) in frames[index..index + run.cycle].iter().enumerate() {
                if position > 0 {
                    f.write_str(", ")?;
                }
                write_name(f, frame)?;
            }
        }
        index += run.len;
    }
    Ok(())
}

fn write_frame(f: &mut fmt::Formatter<'_>, index: usize, frame: &FrameInfo) -> fmt::Result {
    write!(f, "\n  {index}: 0x{:x} - ", frame.module_offset)?;
    write_name(f, frame)
}

fn write_name(f: &mut fmt::Formatter<'_>, frame: &FrameInfo) -> fmt::Result {
    match &frame.func_name {
        Some(name) => f.write_str(name),
        None => write!(f, "<func {}>", frame.func_index),
    }
}

/// Frames that repeat a cycle of `cycle` frames, `len` of them in all (the first cycle
/// included; the last may be cut short).
struct Run {
    cycle: usize,
    len: usize,
}

/// The run of repeats at the start of `frames` worth folding, if there is one: of the
/// cycle lengths that fit, the one that folds the most frames, the shortest on a tie.
fn repeated_run(frames: &[FrameInfo]) -> Option<Run> {
    let mut best: Option<Run> = None;
    for cycle in 1..=LONGEST_CYCLE.min(frames.len()) {
        let repeats =
            frames[cycle..].iter().zip(frames).take_while(|(later, earlier)| later == earlier).count();
        let run = Run { cycle, len: cycle + repeats };
        let folded = run.len.saturating_sub(cycle * REPEATS_SHOWN);
        let best_folded = best.as_ref().map_or(0, |best| best.len - best.cycle * REPEATS_SHOWN);
        if folded >= FEWEST_FOLDED && folded > best_folded {
            best = Some(run);
        }
    }
    best
}

/// `19996` as `19,996`.
fn with_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

impl std::error::Error for Trap {}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(name: &str, module_offset: usize) -> FrameInfo {
        FrameInfo { func_index: 1, func_name: Some(name.to_string()), module_offset }
    }

    fn trap(backtrace: Vec<FrameInfo>) -> String {
        Trap { kind: TrapKind::CallStackExhausted, backtrace }.to_string()
    }

    #[test]
    fn no_frames_no_backtrace() {
        assert_eq!(trap(Vec::new()), "call stack exhausted");
    }

    #[test]
    fn deep_recursion_folds_to_a_few_lines_and_later_frames_keep_their_numbers() {
        let mut frames = vec![frame("fib", 0x40)];
        frames.extend(std::iter::repeat_n(frame("fib", 0x52), 20_000));
        frames.push(frame("main", 0x60));
        frames.push(FrameInfo { func_index: 0, func_name: None, module_offset: 0x70 });
        assert_eq!(
            trap(frames),
            "call stack exhausted\nwasm backtrace:\n  0: 0x40 - fib\n  1: 0x52 - fib\n  2: 0x52 - fib\n  \
             ... 19,998 more frames of fib\n  20001: 0x60 - main\n  20002: 0x70 - <func 0>"
        );
    }

    #[test]
    fn short_runs_are_listed() {
        let frames = vec![frame("f", 1); 4];
        assert_eq!(
            trap(frames),
            "call stack exhausted\nwasm backtrace:\n  0: 0x1 - f\n  1: 0x1 - f\n  2: 0x1 - f\n  3: 0x1 - f"
        );
        let frames = vec![frame("f", 1); 5];
        assert_eq!(
            trap(frames),
            "call stack exhausted\nwasm backtrace:\n  0: 0x1 - f\n  1: 0x1 - f\n  ... 3 more frames of f"
        );
    }

    #[test]
    fn the_same_function_at_other_offsets_is_not_a_repeat() {
        let frames: Vec<FrameInfo> = (0..6).map(|offset| frame("walk", 0x100 + offset)).collect();
        let text = trap(frames);
        assert_eq!(text.lines().count(), 8, "{text}");
        assert!(text.ends_with("\n  5: 0x105 - walk"), "{text}");
    }

    #[test]
    fn mutual_recursion_folds_by_cycle() {
        // odd and even call each other 1001 times in all, under _start; the run ends
        // halfway through a cycle.
        let mut frames: Vec<FrameInfo> =
            (0..1001).map(|i| if i % 2 == 0 { frame("odd", 0x20) } else { frame("even", 0x30) }).collect();
        frames.push(frame("_start", 0x40));
        assert_eq!(
            trap(frames),
            "call stack exhausted\nwasm backtrace:\n  0: 0x20 - odd\n  1: 0x30 - even\n  2: 0x20 - odd\n  \
             3: 0x30 - even\n  ... 997 more frames of the cycle odd, even\n  1001: 0x40 - _start"
        );
    }

    #[test]
    fn the_cycle_that_folds_most_is_chosen() {
        // f recurses three deep, then through g, over and over: three f's alone are too
        // few to fold, the cycle of four folds nearly all.
        let cycle = [frame("f", 1), frame("f", 1), frame("f", 1), frame("g", 2)];
        let frames: Vec<FrameInfo> = cycle.iter().cycle().take(400).cloned().collect();
        let text = trap(frames);
        assert_eq!(text.lines().count(), 2 + 8 + 1, "{text}");
        assert!(text.ends_with("\n  7: 0x2 - g\n  ... 392 more frames of the cycle f, f, f, g"), "{text}");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(with_thousands(0), "0");
        assert_eq!(with_thousands(999), "999");
        assert_eq!(with_thousands(1000), "1,000");
        assert_eq!(with_thousands(19_998), "19,998");
        assert_eq!(with_thousands(1_234_567), "1,234,567");
    }
}
