//! What `stratus run` gives the guest besides its module: the WASI context (arguments,
//! environment, preopened directories, the inherited standard streams).
//!
//! Kept apart so that a build without the `wasi` feature still has `stratus run` for
//! modules that import nothing (`--invoke`), and says clearly what it lacks.

use std::ffi::OsString;
use std::path::PathBuf;

use stratus::{Error, Linker, Snapshot};

/// A directory the guest may use: the host's `host`, seen by the guest as `guest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preopen {
    pub host: PathBuf,
    pub guest: String,
}

/// Everything the guest is given, as the command line said.
#[derive(Debug, Default)]
pub struct Grants {
    /// `argv`, the module's path as given first. Without WASI there is no way to hand
    /// it over, and nothing to warn about: `--invoke` takes the rest as its values.
    #[cfg_attr(not(feature = "wasi"), allow(dead_code))]
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub dirs: Vec<Preopen>,
}

#[cfg(feature = "wasi")]
mod imp {
    use super::*;

    /// The store's data.
    pub struct Host {
        wasi: stratus_wasi::WasiCtx,
    }

    /// Builds the WASI context; the error is one line for the user.
    pub fn host(grants: &Grants) -> Result<Host, String> {
        let mut builder = stratus_wasi::WasiCtxBuilder::new();
        builder.args(grants.args.iter().cloned());
        for (key, value) in &grants.env {
            builder.env(key, value);
        }
        for dir in &grants.dirs {
            builder.preopened_dir(&dir.host, &dir.guest).map_err(|error| {
                format!("cannot open directory '{}' for --dir: {error}", dir.host.display())
            })?;
        }
        let wasi = builder.build().map_err(|error| error.to_string())?;
        Ok(Host { wasi })
    }

    /// The guest's WASI context as a snapshot holds it: the snapshot's arguments,
    /// environment and open files, with the host directories of `dirs`, which must
    /// include each preopened directory of the snapshot by its guest name.
    /// A snapshot without WASI state (taken through the API, of a module that does not
    /// use WASI) gets a fresh context with `dirs`.
    pub fn restored_host(snapshot: &Snapshot, dirs: &[Preopen]) -> Result<Host, String> {
        let mut builder = stratus_wasi::WasiCtxBuilder::new();
        for dir in dirs {
            builder.preopened_dir(&dir.host, &dir.guest).map_err(|error| {
                format!("cannot open directory '{}' for --dir: {error}", dir.host.display())
            })?;
        }
        let wasi = match snapshot.wasi() {
            Some(state) => builder.restore(state).map_err(|error| error.to_string())?,
            None => builder.build().map_err(|error| error.to_string())?,
        };
        Ok(Host { wasi })
    }

    /// Adds the guest's WASI state to `snapshot`.
    pub fn add_wasi_state(snapshot: &mut Snapshot, host: &Host) -> Result<(), Error> {
        snapshot.set_wasi(Some(host.wasi.snapshot().map_err(Error::Snapshot)?));
        Ok(())
    }

    pub fn link(linker: &mut Linker<Host>) -> Result<(), Error> {
        stratus::wasi::add_to_linker(linker, |host: &mut Host| &mut host.wasi)?;
        Ok(())
    }

    /// The status the guest asked for with `proc_exit`, if that is how it stopped.
    pub fn exit_code(error: &Error) -> Option<i32> {
        stratus::wasi::exit_code(error)
    }
}

#[cfg(not(feature = "wasi"))]
mod imp {
    use super::*;

    pub struct Host;

    pub fn host(grants: &Grants) -> Result<Host, String> {
        if !grants.dirs.is_empty() || !grants.env.is_empty() {
            return Err("--dir and --env need WASI, and this stratus was built without it".into());
        }
        Ok(Host)
    }

    pub fn restored_host(_snapshot: &Snapshot, dirs: &[Preopen]) -> Result<Host, String> {
        if !dirs.is_empty() {
            return Err("--dir needs WASI, and this stratus was built without it".into());
        }
        Ok(Host)
    }

    pub fn add_wasi_state(_snapshot: &mut Snapshot, _host: &Host) -> Result<(), Error> {
        Ok(())
    }

    pub fn link(_linker: &mut Linker<Host>) -> Result<(), Error> {
        Ok(())
    }

    pub fn exit_code(_error: &Error) -> Option<i32> {
        None
    }
}

pub use imp::{Host, add_wasi_state, exit_code, host, link, restored_host};

/// Parses `--dir HOST[::GUEST]`; the guest name defaults to the host path as written,
/// as in other runtimes, so `--dir .` lets the guest open `./file` relative paths.
pub fn parse_dir(value: OsString) -> Result<Preopen, String> {
    let text = value.to_str().ok_or("--dir needs a path in UTF-8")?;
    let (host, guest) = text.split_once("::").unwrap_or((text, text));
    if host.is_empty() || guest.is_empty() {
        return Err(format!("--dir '{text}': expected HOST or HOST::GUEST, with neither empty"));
    }
    Ok(Preopen { host: PathBuf::from(host), guest: guest.to_string() })
}

/// Parses `--env KEY=VALUE`.
pub fn parse_env(value: OsString) -> Result<(String, String), String> {
    let text = value.to_str().ok_or("--env needs KEY=VALUE in UTF-8")?;
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("--env '{text}': expected KEY=VALUE with a non-empty KEY")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_and_env_values() {
        let dir = parse_dir("data::/sandbox".into()).unwrap();
        assert_eq!(dir, Preopen { host: "data".into(), guest: "/sandbox".into() });
        assert_eq!(parse_dir(".".into()).unwrap().guest, ".");
        assert!(parse_dir("::x".into()).is_err());
        assert_eq!(parse_env("A=b=c".into()).unwrap(), ("A".into(), "b=c".into()));
        assert!(parse_env("=x".into()).is_err());
        assert!(parse_env("NOVALUE".into()).is_err());
    }
}
