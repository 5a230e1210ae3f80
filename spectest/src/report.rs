//! What running scripts produced: counts, failures and message mismatches.

use std::collections::BTreeMap;
use std::fmt;

/// How many directives passed, failed, or were skipped, and why those were skipped: by
/// the proposal (as `-W` names it) that Stratus does not run or was told not to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub skipped_by: BTreeMap<&'static str, usize>,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
        for (&reason, &count) in &other.skipped_by {
            *self.skipped_by.entry(reason).or_default() += count;
        }
    }

    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped
    }
}

/// `N passed, M failed, K skipped`, the reasons after the skips: `(gc 3, exceptions 1)`.
impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} passed, {} failed, {} skipped", self.passed, self.failed, self.skipped)?;
        if !self.skipped_by.is_empty() {
            let reasons: Vec<String> =
                self.skipped_by.iter().map(|(reason, count)| format!("{reason} {count}")).collect();
            write!(f, " ({})", reasons.join(", "))?;
        }
        Ok(())
    }
}

/// How many functions of the scripts' stores had compiled code, and how many ran in the
/// interpreter (counted once per store, when its script is done).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FunctionCounts {
    pub compiled: usize,
    pub interpreted: usize,
    /// Running calls that moved into compiled code at a loop header.
    pub osr_entries: u64,
}

impl FunctionCounts {
    pub fn add(&mut self, other: FunctionCounts) {
        self.compiled += other.compiled;
        self.interpreted += other.interpreted;
        self.osr_entries += other.osr_entries;
    }
}

impl From<stratus_exec::TierCounts> for FunctionCounts {
    fn from(counts: stratus_exec::TierCounts) -> FunctionCounts {
        FunctionCounts {
            compiled: counts.compiled,
            interpreted: counts.interpreted,
            osr_entries: counts.osr_entries,
        }
    }
}

/// `functions: N compiled, M interpreted`, and `, K OSR entries` when there were any.
impl fmt::Display for FunctionCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "functions: {} compiled, {} interpreted", self.compiled, self.interpreted)?;
        if self.osr_entries > 0 {
            write!(f, ", {} OSR entries", self.osr_entries)?;
        }
        Ok(())
    }
}

/// A 1-based line and column (in bytes) in a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` of `text`.
    pub fn of_offset(text: &str, offset: usize) -> Location {
        let (line, column) = wast::token::Span::from_offset(offset).linecol_in(text);
        Location { line: line + 1, column: column + 1 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Which stage turned a module down: the decoder (malformed) or the validator (invalid).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Malformed,
    Invalid,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Malformed => "malformed",
            Phase::Invalid => "invalid",
        })
    }
}

/// A directive whose expectation did not hold, or a script that could not be run at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Where in the script; `None` when the file could not be read.
    pub location: Option<Location>,
    /// The directive's keyword (`module`, `assert_invalid`, ...), or `script` for the file.
    pub directive: &'static str,
    pub reason: String,
}

impl Failure {
    /// The failure as one line naming its file: `FILE:LINE:COL: DIRECTIVE: REASON`.
    pub fn line_in(&self, file: &str) -> String {
        match self.location {
            Some(location) => format!("{file}:{location}: {}: {}", self.directive, self.reason),
            None => format!("{file}: {}: {}", self.directive, self.reason),
        }
    }
}

/// `LINE:COL: DIRECTIVE: REASON`, or `DIRECTIVE: REASON` without a location.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}: {}", self.directive, self.reason)
    }
}

/// A module that Stratus rightly rejected, but with a message that does not start with
/// the script's expected text, or at the other stage (invalid where the script says
/// malformed, or the reverse). Informational: not a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub location: Location,
    pub directive: &'static str,
    pub expected_phase: Phase,
    pub expected_message: String,
    pub found_phase: Phase,
    pub found_message: String,
    /// Byte offset of our error in the module's binary encoding.
    pub offset: usize,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: expected {} {:?}, found {} {:?} at 0x{:x}",
            self.location,
            self.directive,
            self.expected_phase,
            self.expected_message,
            self.found_phase,
            self.found_message,
            self.offset
        )
    }
}

/// The outcome of one script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    /// The script's name as shown to the user (path relative to the folder given).
    pub name: String,
    pub counts: Counts,
    pub failures: Vec<Failure>,
    pub mismatches: Vec<Mismatch>,
    /// The functions of the script's store by tier; zero if the script did not get to
    /// its end (it could not be read, or was given up after a timeout).
    pub functions: FunctionCounts,
}

impl FileReport {
    pub fn new(name: impl Into<String>) -> FileReport {
        FileReport { name: name.into(), ..FileReport::default() }
    }

    /// A script that could not be run at all counts as one failure.
    pub fn unrunnable(name: impl Into<String>, location: Option<Location>, reason: String) -> FileReport {
        let mut report = FileReport::new(name);
        report.fail(location, "script", reason);
        report
    }

    pub fn pass(&mut self) {
        self.counts.passed += 1;
    }

    /// A directive not run because it needs `reason`, a proposal's name.
    pub fn skip(&mut self, reason: &'static str) {
        self.counts.skipped += 1;
        *self.counts.skipped_by.entry(reason).or_default() += 1;
    }

    pub fn fail(&mut self, location: Option<Location>, directive: &'static str, reason: String) {
        self.counts.failed += 1;
        self.failures.push(Failure { location, directive, reason });
    }
}

/// The one line per file:
/// `NAME: N passed, M failed, K skipped; functions: C compiled, I interpreted`, with
/// `(X message mismatches)` after the counts if there are any.
impl fmt::Display for FileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.counts)?;
        if !self.mismatches.is_empty() {
            write!(f, " ({})", mismatches_text(self.mismatches.len()))?;
        }
        write!(f, "; {}", self.functions)
    }
}

/// `1 message mismatch`, `2 message mismatches`.
pub fn mismatches_text(count: usize) -> String {
    match count {
        1 => "1 message mismatch".to_string(),
        _ => format!("{count} message mismatches"),
    }
}

/// The outcome of a run over many scripts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: Vec<FileReport>,
}

impl Summary {
    pub fn totals(&self) -> Counts {
        let mut totals = Counts::default();
        for file in &self.files {
            totals.add(&file.counts);
        }
        totals
    }

    /// The counts of the scripts in each folder (the part of their names before the
    /// last `/`, empty for the top folder), in order of their names.
    pub fn folders(&self) -> BTreeMap<&str, Counts> {
        let mut folders: BTreeMap<&str, Counts> = BTreeMap::new();
        for file in &self.files {
            let folder = file.name.rsplit_once('/').map_or("", |(folder, _)| folder);
            folders.entry(folder).or_default().add(&file.counts);
        }
        folders
    }

    /// The functions of all the scripts' stores, by tier.
    pub fn functions(&self) -> FunctionCounts {
        let mut functions = FunctionCounts::default();
        for file in &self.files {
            functions.add(file.functions);
        }
        functions
    }

    pub fn mismatch_count(&self) -> usize {
        self.files.iter().map(|file| file.mismatches.len()).sum()
    }

    pub fn has_failures(&self) -> bool {
        self.files.iter().any(|file| file.counts.failed > 0)
    }
}

/// The final line: `spectest: N passed, M failed, K skipped`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "spectest: {}", self.totals())
    }
}
