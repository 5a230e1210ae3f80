//! Finding scripts on disk and running them.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::report::{FileReport, Summary};
use crate::worker::{RunOptions, run_script_with};

/// Folders nested deeper than this are not entered: a guard against symlink cycles.
const MAX_FOLDER_DEPTH: usize = 32;

/// A script found on disk, and the name it is reported under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptPath {
    pub path: PathBuf,
    /// The path relative to the folder it was found in, or the path as given for a file.
    pub name: String,
}

/// The `.wast` scripts named by `paths`: a file is taken as is (whatever its extension);
/// a folder contributes every `.wast` file under it, recursively, sorted by path.
///
/// A path that does not exist, a folder that cannot be read, and a folder without any
/// script each become an `Err` holding a failed report, in the order of `paths`.
pub fn collect_scripts(paths: &[PathBuf]) -> Vec<Result<ScriptPath, Box<FileReport>>> {
    let mut scripts = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        match fs::metadata(path) {
            Err(error) => scripts.push(Err(Box::new(FileReport::unrunnable(shown, None, io_reason(&error))))),
            Ok(meta) if meta.is_dir() => {
                let mut found = Vec::new();
                let mut errors = Vec::new();
                find_scripts(path, path, 0, &mut found, &mut errors);
                found.sort();
                if found.is_empty() && errors.is_empty() {
                    let reason = "folder contains no .wast scripts".to_string();
                    errors.push(FileReport::unrunnable(shown, None, reason));
                }
                scripts.extend(found.into_iter().map(|(name, path)| Ok(ScriptPath { path, name })));
                scripts.extend(errors.into_iter().map(|report| Err(Box::new(report))));
            }
            Ok(_) => scripts.push(Ok(ScriptPath { path: path.clone(), name: shown })),
        }
    }
    scripts
}

/// Collects `(name relative to root, path)` of every `.wast` file under `folder`.
fn find_scripts(
    root: &Path,
    folder: &Path,
    depth: usize,
    found: &mut Vec<(String, PathBuf)>,
    errors: &mut Vec<FileReport>,
) {
    let shown = folder.display().to_string();
    if depth > MAX_FOLDER_DEPTH {
        let reason = format!("folders nested deeper than {MAX_FOLDER_DEPTH} levels (a symlink cycle?)");
        errors.push(FileReport::unrunnable(shown, None, reason));
        return;
    }
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) => return errors.push(FileReport::unrunnable(shown, None, io_reason(&error))),
    };
    for entry in entries {
        let path = match entry {
            Ok(entry) => entry.path(),
            Err(error) => {
                errors.push(FileReport::unrunnable(shown.clone(), None, io_reason(&error)));
                continue;
            }
        };
        // `fs::metadata` follows symlinks, so linked scripts and folders count too.
        let is_dir = fs::metadata(&path).map(|meta| meta.is_dir()).unwrap_or(false);
        if is_dir {
            find_scripts(root, &path, depth + 1, found, errors);
        } else if path.extension().is_some_and(|ext| ext == "wast") {
            found.push((relative_name(root, &path), path));
        }
    }
}

/// `path` relative to `root`, with `/` separators whatever the platform.
fn relative_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = relative.components().map(|part| part.as_os_str().to_string_lossy()).collect();
    parts.join("/")
}

fn io_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file or folder".to_string(),
        _ => error.to_string(),
    }
}

/// Reads and runs one script.
pub fn run_file(script: &ScriptPath, options: &RunOptions) -> FileReport {
    match fs::read(&script.path) {
        Err(error) => FileReport::unrunnable(script.name.clone(), None, io_reason(&error)),
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(source) => run_script_with(&script.name, &source, options),
            Err(error) => {
                let at = error.utf8_error().valid_up_to();
                FileReport::unrunnable(script.name.clone(), None, format!("not UTF-8 text (byte 0x{at:x})"))
            }
        },
    }
}

/// Runs every script named by `paths` (see [`collect_scripts`]).
pub fn run_paths(paths: &[PathBuf]) -> Summary {
    run_paths_with(paths, &RunOptions::default(), |_| {})
}

/// Like [`run_paths`], calling `on_file` as each script finishes, so a long run can show
/// its progress.
pub fn run_paths_with(
    paths: &[PathBuf],
    options: &RunOptions,
    mut on_file: impl FnMut(&FileReport),
) -> Summary {
    let mut summary = Summary::default();
    for script in collect_scripts(paths) {
        let report = match script {
            Ok(script) => run_file(&script, options),
            Err(report) => *report,
        };
        on_file(&report);
        summary.files.push(report);
    }
    summary
}
