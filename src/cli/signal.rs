//! `--checkpoint-on SIGNAL`: the signal is blocked in every thread and one thread waits
//! for it with `sigwait`, so that it arrives as an ordinary call there (which asks the
//! running program to pause) rather than in a handler, where almost nothing is allowed.

use std::io;

/// The signals a checkpoint may be asked with: those that stop or poke a job.
const SIGNALS: [(&str, libc::c_int); 5] = [
    ("TERM", libc::SIGTERM),
    ("INT", libc::SIGINT),
    ("HUP", libc::SIGHUP),
    ("USR1", libc::SIGUSR1),
    ("USR2", libc::SIGUSR2),
];

/// A signal by name (`TERM`, `SIGTERM`, `sigterm`, or its number).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Signal(libc::c_int);

impl Signal {
    pub fn parse(text: &str) -> Result<Signal, String> {
        let upper = text.to_ascii_uppercase();
        let name = upper.strip_prefix("SIG").unwrap_or(&upper);
        SIGNALS
            .iter()
            .find(|&&(known, number)| known == name || number.to_string() == name)
            .map(|&(_, number)| Signal(number))
            .ok_or_else(|| {
                let names: Vec<&str> = SIGNALS.iter().map(|(name, _)| *name).collect();
                format!("'{text}' is not a signal a checkpoint can be asked with: {}", names.join(", "))
            })
    }

    pub fn terminate() -> Signal {
        Signal(libc::SIGTERM)
    }

    /// Blocks the signal in this thread, and so in the threads it starts afterwards:
    /// call before any thread is started.
    pub fn block(self) -> io::Result<()> {
        let set = self.set();
        // SAFETY: `set` is an initialised signal set; a null old-set pointer is allowed.
        let error = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
        if error != 0 {
            return Err(io::Error::from_raw_os_error(error));
        }
        Ok(())
    }

    /// Waits for the signal (which must be blocked) and calls `then` when it comes,
    /// once, on a thread of its own.
    pub fn on_arrival(self, then: impl FnOnce() + Send + 'static) {
        std::thread::spawn(move || {
            let set = self.set();
            let mut arrived: libc::c_int = 0;
            // SAFETY: `set` is initialised and `arrived` is a valid place for the signal
            // number; sigwait only reads the one and writes the other.
            if unsafe { libc::sigwait(&set, &mut arrived) } == 0 {
                then();
            }
        });
    }

    fn set(self) -> libc::sigset_t {
        // SAFETY: sigemptyset initialises the set it is given before sigaddset reads it;
        // both only fail for a signal number out of range, which `parse` rules out.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, self.0);
            set
        }
    }
}
