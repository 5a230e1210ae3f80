//! Tiny modules that declare huge counts are refused with an error, having allocated
//! little: the decoder and validator size nothing by a count the input does not back
//! with bytes. An allocator that counts the bytes each thread has live measures it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use stratus_decoder::DecodeErrorKind;
use stratus_validator::{Error, parse_and_validate};

struct CountingAllocator;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn note_allocated(bytes: usize) {
    // `try_with`: the thread's counters may already be gone while it shuts down.
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + bytes);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

fn note_freed(bytes: usize) {
    // Memory allocated on another thread may be freed on this one.
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(bytes)));
}

// SAFETY: every call is passed on to the system allocator unchanged; the counting
// around it neither allocates nor unwinds.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees about `layout` hold for `System` too.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            note_allocated(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above, which is `System`'s.
        unsafe { System.dealloc(ptr, layout) };
        note_freed(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc` and `dealloc`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            note_freed(layout.size());
            note_allocated(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Far more than any of these modules needs, far less than their counts ask for.
const ALLOCATION_BOUND: usize = 1 << 20;

/// Decodes and validates `bytes`, and returns the error and the most bytes that were
/// live at once on this thread meanwhile.
fn check(bytes: &[u8]) -> (Error, usize) {
    let before = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(before));
    let error = parse_and_validate(bytes).map(|_| ()).expect_err("the module must be refused");
    (error, PEAK.with(Cell::get) - before)
}

/// Refused as malformed, with `kind`, having allocated at most `ALLOCATION_BOUND`.
fn assert_refused_cheaply(what: &str, bytes: &[u8], kind: DecodeErrorKind) {
    let (error, peak) = check(bytes);
    match &error {
        Error::Malformed(error) => assert_eq!(error.kind, kind, "{what}: {error}"),
        Error::Invalid(error) => panic!("{what}: refused as invalid: {error}"),
    }
    assert!(peak <= ALLOCATION_BOUND, "{what}: {peak} bytes allocated");
}

fn leb(value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    leb128::write::unsigned(&mut out, value).expect("writing to a Vec cannot fail");
    out
}

/// A module of the given sections, each `(id, contents)`.
fn module(sections: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    for (id, contents) in sections {
        bytes.push(*id);
        bytes.extend(leb(contents.len() as u64));
        bytes.extend(contents);
    }
    bytes
}

/// Type `[] -> []`, `count` functions of it, and `bodies` as the code section.
fn functions(count: u32, bodies: Vec<u8>) -> Vec<u8> {
    let funcs = [leb(u64::from(count)), vec![0; count as usize]].concat();
    module(&[(1, vec![1, 0x60, 0, 0]), (3, funcs), (10, bodies)])
}

/// One function body of `contents`, as the code section.
fn one_body(contents: &[u8]) -> Vec<u8> {
    [vec![1], leb(contents.len() as u64), contents.to_vec()].concat()
}

#[test]
fn section_counts_must_be_backed_by_bytes() {
    let end = DecodeErrorKind::UnexpectedEndOfSection;
    // Each section claims a million entries (the implementation limit) in a few bytes.
    let million = leb(1_000_000);
    for (what, id) in [
        ("types", 1),
        ("imports", 2),
        ("functions", 3),
        ("globals", 6),
        ("exports", 7),
        ("function bodies", 10),
    ] {
        let bytes = module(&[(id, [&million[..], &[0x60, 0x00]].concat())]);
        assert_refused_cheaply(what, &bytes, end.clone());
    }
    let hundred_thousand = leb(100_000);
    for (what, id) in [("tables", 4), ("element segments", 9), ("data segments", 11)] {
        let bytes = module(&[(id, [&hundred_thousand[..], &[0x00, 0x00]].concat())]);
        assert_refused_cheaply(what, &bytes, end.clone());
    }
    // A passive element segment of ten million functions, and one of as many expressions.
    for flags in [0x01, 0x05] {
        let mut segment = vec![1, flags, if flags == 0x01 { 0x00 } else { 0x70 }];
        segment.extend(leb(10_000_000));
        segment.extend([0x00, 0x00]);
        assert_refused_cheaply("element items", &module(&[(9, segment)]), end.clone());
    }
    // Counts above the implementation limits are refused as such.
    let bytes = module(&[(1, [&leb(u64::from(u32::MAX))[..], &[0x60, 0x00, 0x00]].concat())]);
    let limit = DecodeErrorKind::LimitExceeded { what: "types", limit: 1_000_000 };
    assert_refused_cheaply("4 billion types", &bytes, limit);
}

#[test]
fn locals_are_counted_before_they_are_expanded() {
    // (local i32) four billion times, in one run and in two.
    let body = [&[1][..], &leb(u64::from(u32::MAX)), &[0x7F, 0x0B]].concat();
    assert_refused_cheaply("one run", &functions(1, one_body(&body)), DecodeErrorKind::TooManyLocals);
    let run = [leb(1 << 31), vec![0x7F]].concat();
    let body = [&[2][..], &run, &run, &[0x0B]].concat();
    assert_refused_cheaply("two runs", &functions(1, one_body(&body)), DecodeErrorKind::TooManyLocals);
    // 50,000 runs declared in a body of three bytes.
    let body = [&leb(50_000)[..], &[0x7F, 0x0B]].concat();
    let kind = DecodeErrorKind::UnexpectedEndOfSection;
    assert_refused_cheaply("many runs", &functions(1, one_body(&body)), kind);
}

#[test]
fn br_table_targets_must_be_backed_by_bytes() {
    // block, i32.const 0, br_table of seven million targets, with three bytes left.
    let code = [&[0x00, 0x02, 0x40, 0x41, 0x00, 0x0E][..], &leb(7_000_000), &[0x00, 0x0B, 0x0B]].concat();
    let kind = DecodeErrorKind::UnexpectedEndOfSection;
    assert_refused_cheaply("br_table", &functions(1, one_body(&code)), kind);
}

#[test]
fn a_data_count_without_data_is_refused() {
    let bytes = module(&[(12, leb(u64::from(u32::MAX)))]);
    assert_refused_cheaply("data count", &bytes, DecodeErrorKind::DataCountAndDataInconsistent);
}

#[test]
fn locals_are_limited_across_the_module() {
    // Each body declares the most locals a function may have, in seven bytes.
    let count = 1001;
    let body = [&[6, 1][..], &leb(50_000), &[0x7B, 0x0B]].concat();
    let bodies = [leb(count), body.repeat(count as usize)].concat();
    let bytes = functions(count as u32, bodies);
    let (error, peak) = check(&bytes);
    let Error::Malformed(error) = error else { panic!("refused as invalid: {error}") };
    let kind = DecodeErrorKind::LimitExceeded { what: "locals in all functions", limit: 50_000_000 };
    assert_eq!(error.kind, kind);
    // The last body is the one over the limit.
    assert_eq!(error.offset, bytes.len() - body.len());
    assert!(peak <= ALLOCATION_BOUND, "{peak} bytes allocated");
}

#[test]
fn counts_are_bounded_by_the_smallest_well_formed_entry() {
    // A passive segment of three funcref expressions that are each just `end`: one byte
    // each, so well formed, and refused by validation for producing no value.
    let bytes = module(&[(9, vec![1, 0x05, 0x70, 3, 0x0B, 0x0B, 0x0B])]);
    let (error, _) = check(&bytes);
    assert!(error.message().starts_with("type mismatch"), "{error}");
}
