//! Round trips, and the reader's refusals: each names what is wrong and where.

use proptest::prelude::*;

use crate::*;

/// Three pages with bytes in granules 0, 17 and 31 to 34.
fn sample_memory() -> Vec<u8> {
    let mut memory = vec![0u8; 3 << 16];
    memory[10] = 1;
    memory[70_000..70_100].fill(0xab);
    // Bytes that do not compress: they stay raw.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for byte in &mut memory[130_000..140_000] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *byte = x as u8;
    }
    memory
}

/// A snapshot with something in every field.
fn sample() -> Snapshot {
    let memory = sample_memory();
    Snapshot {
        module: ModuleIdentity { sha256: [7; 32], bytes: Some(b"\0asm\x01\0\0\0".to_vec()) },
        store: StoreState {
            fuel: Some(12_345),
            deterministic: true,
            limits: Limits {
                memory_pages: 65_536,
                table_elements: 10_000,
                total_memory_bytes: 1 << 32,
                total_table_elements: 20_000,
                instances: 100,
                call_depth: 10_000,
                stack_slots: 1 << 20,
                host_reentry: 64,
            },
        },
        memories: vec![MemoryImage::of(3, &memory, None), MemoryImage { pages: 0, chunks: vec![] }],
        tables: vec![TableImage { size: 10, entries: vec![(0, 3), (9, 1)] }],
        globals: vec![[1, 0], [u64::MAX, 5]],
        dropped_elems: vec![0, 2],
        dropped_datas: vec![1],
        call: CallState {
            entry: 4,
            slots: vec![1, 2, 3, 4, 5, 6],
            frames: vec![FrameState { func: 4, pc: 17, base: 0 }],
            running: FrameState { func: 5, pc: 0, base: 3 },
        },
        wasi: Some(WasiState {
            args: vec!["app.wasm".into(), "-v".into()],
            env: vec![("HOME".into(), "/".into())],
            monotonic_ns: 99,
            fds: vec![
                FdState { fd: 0, rights: 1, inheriting: 0, flags: 0, kind: FdKind::Stdin },
                FdState { fd: 1, rights: 2, inheriting: 0, flags: 1, kind: FdKind::Stdout },
                FdState { fd: 2, rights: 2, inheriting: 0, flags: 0, kind: FdKind::Stderr },
                FdState {
                    fd: 3,
                    rights: 3,
                    inheriting: 4,
                    flags: 0,
                    kind: FdKind::Dir(Origin { preopen: "/data".into(), path: String::new() }),
                },
                FdState {
                    fd: 4,
                    rights: 5,
                    inheriting: 0,
                    flags: 1,
                    kind: FdKind::File {
                        origin: Origin { preopen: "/data".into(), path: "out/log.txt".into() },
                        read: false,
                        write: true,
                        offset: 4096,
                    },
                },
            ],
        }),
    }
}

/// `bytes` with its checksum made right again.
fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
    let body = bytes.len() - 4;
    let checksum = crc32fast::hash(&bytes[..body]);
    bytes[body..].copy_from_slice(&checksum.to_le_bytes());
    bytes
}

fn error_of(bytes: &[u8]) -> String {
    Snapshot::from_bytes(bytes).expect_err("refused").to_string()
}

#[test]
fn round_trips() {
    let snapshot = sample();
    let bytes = snapshot.to_bytes();
    assert_eq!(Snapshot::from_bytes(&bytes), Ok(snapshot.clone()));
    let without_wasi = Snapshot { wasi: None, ..snapshot };
    assert_eq!(Snapshot::from_bytes(&without_wasi.to_bytes()), Ok(without_wasi));
}

#[test]
fn memory_images_keep_only_nonzero_granules() {
    let image = &sample().memories[0];
    // Granule 0 (byte 10), granule 17 (70,000..70,100), and granules 31..=34.
    let offsets: Vec<u64> = image.chunks.iter().map(|c| c.offset).collect();
    assert_eq!(offsets, vec![0, 17 * 4096, 31 * 4096]);
    assert_eq!(image.nonzero_bytes(), 6 * 4096);
    // Granules known to be untouched are not read.
    let touched: Vec<bool> = (0..48).map(|g| g != 17).collect();
    let memory = &sample_memory();
    let image = MemoryImage::of(3, memory, Some(&touched));
    assert_eq!(image.chunks.iter().map(|c| c.offset).collect::<Vec<_>>(), vec![0, 31 * 4096]);
    // Long runs are cut at the chunk size.
    let full = vec![1u8; 3 * MAX_CHUNK];
    let image = MemoryImage::of(48, &full, None);
    assert_eq!(image.chunks.len(), 3);
    assert!(image.chunks.iter().all(|c| c.bytes.len() == MAX_CHUNK));
}

#[test]
fn compresses_what_compresses() {
    let full = vec![0x55u8; 1 << 16];
    let snapshot = Snapshot { memories: vec![MemoryImage::of(1, &full, None)], ..sample() };
    let bytes = snapshot.to_bytes();
    assert!(bytes.len() < 8 << 10, "{} bytes for a page of one repeated byte", bytes.len());
    assert_eq!(Snapshot::from_bytes(&bytes), Ok(snapshot));
}

#[test]
fn refuses_what_is_not_a_snapshot() {
    assert_eq!(
        error_of(b"\0asm\x01\0\0\0"),
        "at byte 0: not a Stratus snapshot (it does not start with the magic number)"
    );
    assert_eq!(error_of(&MAGIC), "at byte 0: the snapshot is truncated: it ends inside its header");
    let mut bytes = sample().to_bytes();
    bytes[8] = 2;
    assert_eq!(error_of(&bytes), "at byte 8: snapshot format version 2; this Stratus reads version 1");
}

#[test]
fn refuses_truncated_and_corrupt_files() {
    let bytes = sample().to_bytes();
    for len in [12, 20, bytes.len() / 2, bytes.len() - 1] {
        let message = error_of(&bytes[..len]);
        assert!(message.contains("truncated"), "{len}: {message}");
    }
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x10;
    assert!(error_of(&flipped).contains("checksum does not match"));
}

#[test]
fn refuses_malformed_sections() {
    let bytes = sample().to_bytes();
    // The module section's id, then its length: claim more than the file has.
    let mut long = bytes.clone();
    long[13..21].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(
        error_of(&resealed(long)),
        format!("at byte 21: module claims {} bytes, but only {} are left", u64::MAX, bytes.len() - 4 - 21)
    );
    // No module section at all: the store section comes first.
    let mut missing = bytes.clone();
    missing[12] = 9;
    assert_eq!(error_of(&resealed(missing)), "at byte 12: the module section (id 1) is missing");
    // Something after the last section.
    let mut extra = bytes[..bytes.len() - 4].to_vec();
    extra.extend_from_slice(&[3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let at = bytes.len() - 4;
    assert_eq!(
        error_of(&resealed(extra)),
        format!("at byte {at}: unexpected section 3 (sections come in order, each once)")
    );
}

#[test]
fn refuses_inconsistent_contents() {
    let with = |edit: fn(&mut Snapshot)| {
        let mut snapshot = sample();
        edit(&mut snapshot);
        error_of(&snapshot.to_bytes())
    };
    assert!(with(|s| s.memories[0].pages = 1).contains("past the memory's 65536 bytes"));
    assert!(with(|s| s.memories[0].chunks.swap(0, 1)).contains("overlaps the one before"));
    assert!(with(|s| s.memories[0].pages = u64::MAX).contains("a memory of"));
    assert!(with(|s| s.tables[0].entries[1].0 = 10).contains("past the table's 10"));
    assert!(with(|s| s.tables[0].entries.swap(0, 1)).contains("out of order"));
    assert!(with(|s| s.tables[0].entries[0].1 = 0).contains("null reference"));
    let mut bytes = Snapshot { wasi: None, ..sample() }.to_bytes();
    // The call section's frame count, made too large for what follows.
    let frames = bytes.len() - 4 - 12 - 12 - 4;
    bytes[frames..frames + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
    let message = error_of(&resealed(bytes));
    assert!(message.contains("the frames: 1000000 items do not fit"), "{message}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Arbitrary bytes behind a valid header and checksum are refused or read, never a
    /// panic.
    #[test]
    fn arbitrary_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&body);
        bytes.extend_from_slice(&[0; 4]);
        let _ = Snapshot::from_bytes(&resealed(bytes));
    }

    /// A valid snapshot with bytes changed, inserted or cut, then resealed so that the
    /// checksum does not stop the reader: an error or a snapshot, never a panic; and one
    /// that reads writes back the same.
    #[test]
    fn mutated_snapshots_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..8)
    ) {
        let mut bytes = sample().to_bytes();
        for (at, byte, how) in edits {
            let body = bytes.len() - 4;
            let i = 12 + at.index(body - 12);
            match how {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        if let Ok(snapshot) = Snapshot::from_bytes(&resealed(bytes)) {
            prop_assert_eq!(Snapshot::from_bytes(&snapshot.to_bytes()), Ok(snapshot));
        }
    }
}
