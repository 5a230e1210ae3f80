//! Proposals beyond WebAssembly 2.0: which of them a module may use ([`Features`]), and
//! the encodings of each, so that a module using one that is switched off or not
//! implemented is refused by name instead of as bytes that make no sense. The decoder
//! still refuses it with the spec's own error (`illegal opcode`, `malformed section
//! id`, ...), whose text stays the start of the message: the spec tests compare
//! messages by prefix, and a reader of the message learns both what the spec says and
//! why.

use std::fmt;

/// A proposal beyond Wasm 2.0, recognised from its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proposal {
    /// The component model: a binary with the component version and layer.
    Components,
    TailCalls,
    ExtendedConst,
    MultiMemory,
    Memory64,
    RelaxedSimd,
    ExceptionHandling,
    Threads,
    Gc,
    FunctionReferences,
}

impl Proposal {
    /// Every proposal, in the order `stratus` lists them.
    pub const ALL: [Proposal; 10] = [
        Proposal::TailCalls,
        Proposal::ExtendedConst,
        Proposal::MultiMemory,
        Proposal::Memory64,
        Proposal::RelaxedSimd,
        Proposal::FunctionReferences,
        Proposal::ExceptionHandling,
        Proposal::Gc,
        Proposal::Threads,
        Proposal::Components,
    ];

    /// The name users switch the proposal by (`-W tail-call=n`): wasmtime's.
    pub const fn name(self) -> &'static str {
        match self {
            Proposal::Components => "component-model",
            Proposal::TailCalls => "tail-call",
            Proposal::ExtendedConst => "extended-const",
            Proposal::MultiMemory => "multi-memory",
            Proposal::Memory64 => "memory64",
            Proposal::RelaxedSimd => "relaxed-simd",
            Proposal::ExceptionHandling => "exceptions",
            Proposal::Threads => "threads",
            Proposal::Gc => "gc",
            Proposal::FunctionReferences => "function-references",
        }
    }

    /// The proposal named `name` (as [`Proposal::name`] spells it).
    pub fn from_name(name: &str) -> Option<Proposal> {
        Proposal::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether Stratus runs modules that use the proposal.
    pub const fn is_implemented(self) -> bool {
        matches!(
            self,
            Proposal::TailCalls
                | Proposal::ExtendedConst
                | Proposal::MultiMemory
                | Proposal::Memory64
                | Proposal::RelaxedSimd
        )
    }

    /// Whether the proposal is part of WebAssembly 3.0.
    pub const fn is_wasm3(self) -> bool {
        !matches!(self, Proposal::Components | Proposal::Threads)
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// The proposal a single-byte opcode, or a prefix byte, belongs to. `code` is the
    /// decoder's encoding: the byte, or `(prefix << 16) | subopcode` for the `0xFC` and
    /// `0xFD` prefixes.
    pub const fn of_opcode(code: u32) -> Option<Proposal> {
        Some(match code {
            0x12 | 0x13 => Proposal::TailCalls,
            // try, catch, throw, rethrow, throw_ref, delegate, catch_all, try_table.
            0x06..=0x0A | 0x18 | 0x19 | 0x1F => Proposal::ExceptionHandling,
            // call_ref, return_call_ref, ref.as_non_null, br_on_null, br_on_non_null.
            0x14 | 0x15 | 0xD4..=0xD6 => Proposal::FunctionReferences,
            // ref.eq, and the GC prefix.
            0xD3 | 0xFB => Proposal::Gc,
            // The atomics prefix.
            0xFE => Proposal::Threads,
            0xFD_0100..=0xFD_0113 => Proposal::RelaxedSimd,
            _ => return None,
        })
    }

    /// The proposal of a section id above the last 2.0 one.
    pub fn of_section_id(id: u8) -> Option<Proposal> {
        // The tag section.
        (id == 13).then_some(Proposal::ExceptionHandling)
    }

    /// The proposal of a limits flags byte other than 0 and 1.
    pub fn of_limits_flags(flags: u8) -> Option<Proposal> {
        match flags {
            // Bit 1 marks a shared memory (with or without 64-bit indices).
            0x02 | 0x03 | 0x06 | 0x07 => Some(Proposal::Threads),
            // Bit 2 marks 64-bit indices.
            0x04 | 0x05 => Some(Proposal::Memory64),
            _ => None,
        }
    }

    /// The proposal of a value or reference type byte other than the 2.0 ones.
    pub fn of_type_byte(byte: u8) -> Option<Proposal> {
        match byte {
            // (ref null ht) and (ref ht).
            0x63 | 0x64 => Some(Proposal::FunctionReferences),
            // exnref and nullexnref.
            0x69 | 0x74 => Some(Proposal::ExceptionHandling),
            // anyref, eqref, i31ref, structref, arrayref, nullref, nullexternref, nullfuncref.
            0x6A..=0x6E | 0x71..=0x73 => Some(Proposal::Gc),
            _ => None,
        }
    }

    /// The proposal of a type-section entry that does not start with `0x60`.
    pub fn of_type_form(form: u8) -> Option<Proposal> {
        // rec, sub, sub final, struct, array.
        matches!(form, 0x4E | 0x4F | 0x50 | 0x5E | 0x5F).then_some(Proposal::Gc)
    }

    /// The proposal of an import or export kind above 3.
    pub fn of_extern_kind(kind: u8) -> Option<Proposal> {
        // A tag.
        (kind == 4).then_some(Proposal::ExceptionHandling)
    }

    /// The proposal of memory-argument flags of 32 and up.
    pub fn of_memarg_flags(flags: u32) -> Option<Proposal> {
        // Bit 6 says a memory index follows; the bits below it are the alignment.
        (flags & crate::MEMARG_HAS_MEMORY != 0 && flags < 0x80).then_some(Proposal::MultiMemory)
    }

    /// The proposal of a one-byte memory index other than 0 where 2.0 wants a zero byte.
    pub fn of_memory_index_byte(byte: u8) -> Option<Proposal> {
        (1..0x80).contains(&byte).then_some(Proposal::MultiMemory)
    }

    /// The proposal of a binary version word other than 1.
    pub fn of_version(version: [u8; 4]) -> Option<Proposal> {
        // Version 0x0d with layer 1: a component.
        (version == [0x0D, 0x00, 0x01, 0x00]).then_some(Proposal::Components)
    }

    /// Why a module using the proposal is refused: it is not implemented, or switched off.
    pub fn refusal(self) -> Refusal {
        Refusal(self)
    }
}

impl fmt::Display for Proposal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The reason a module that uses a proposal is refused, as the parenthesis after the
/// spec's message says it.
pub struct Refusal(Proposal);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Proposal::Components => f.write_str("components are not supported, only core modules"),
            p if p.is_implemented() => write!(f, "the {p} proposal is disabled; -W {p}=y enables it"),
            p => write!(f, "the {p} proposal is not supported"),
        }
    }
}

/// The proposals a module may use. [`Features::default`] enables every proposal Stratus
/// implements, as wasmtime does; [`Features::WASM2`] none of them, for running a Wasm 2.0
/// module (or the 2.0 spec tests, some of which 3.0 makes valid) as 2.0 says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Features {
    enabled: u16,
}

impl Features {
    pub const WASM2: Features = Features { enabled: 0 };

    /// Whether a module may use `proposal`.
    #[inline]
    pub const fn allows(self, proposal: Proposal) -> bool {
        self.enabled & proposal.bit() != 0
    }

    /// These features with `proposal` switched on or off. Only implemented proposals
    /// can be on: switching on another one leaves it off.
    #[must_use]
    pub const fn with(self, proposal: Proposal, on: bool) -> Features {
        if on && proposal.is_implemented() {
            Features { enabled: self.enabled | proposal.bit() }
        } else {
            Features { enabled: self.enabled & !proposal.bit() }
        }
    }
}

impl Default for Features {
    fn default() -> Features {
        let mut features = Features::WASM2;
        let mut i = 0;
        while i < Proposal::ALL.len() {
            features = features.with(Proposal::ALL[i], true);
            i += 1;
        }
        features
    }
}
