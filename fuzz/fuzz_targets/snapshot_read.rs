//! Arbitrary bytes into the snapshot reader: it must return, never panic, and a
//! snapshot it reads must write back to bytes that read as the same snapshot.
//!
//! `cargo +nightly fuzz run snapshot_read` (see ../README.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use stratus_snapshot::{MAGIC, Snapshot, VERSION};

fuzz_target!(|data: &[u8]| {
    // Behind a valid header and with its checksum made right, so that the fuzzer
    // reaches the sections rather than the checksum's refusal.
    let mut sealed = MAGIC.to_vec();
    sealed.extend_from_slice(&VERSION.to_le_bytes());
    sealed.extend_from_slice(data);
    sealed.extend_from_slice(&crc32fast::hash(&sealed).to_le_bytes());
    for bytes in [data, &sealed[..]] {
        if let Ok(snapshot) = Snapshot::from_bytes(bytes) {
            assert_eq!(Snapshot::from_bytes(&snapshot.to_bytes()).as_ref(), Ok(&snapshot));
        }
    }
});
