//! Compile-time check that `num` defines every instruction the dispatch will expand.
//!
//! For every row of the instruction table with no immediates and a fixed signature, this
//! expands to a use of `crate::num::<semantic_name>` as a function of exactly the row's
//! parameter types whose return value is an [`OpResult`] of the row's result type. A
//! missing function or a wrong signature is therefore a build error here, next to the
//! semantics, rather than in the generated dispatch.

use super::OpResult;

/// Implemented by functions callable with `Params` that return an `OpResult<T>`.
trait Semantics<Params, T> {}

impl<F, R, T> Semantics<(), T> for F
where
    F: Fn() -> R,
    R: OpResult<T>,
{
}

impl<F, A, R, T> Semantics<(A,), T> for F
where
    F: Fn(A) -> R,
    R: OpResult<T>,
{
}

impl<F, A, B, R, T> Semantics<(A, B), T> for F
where
    F: Fn(A, B) -> R,
    R: OpResult<T>,
{
}

impl<F, A, B, C, R, T> Semantics<(A, B, C), T> for F
where
    F: Fn(A, B, C) -> R,
    R: OpResult<T>,
{
}

fn check<Params, T>(_: impl Semantics<Params, T>) {}

macro_rules! result_type {
    () => {
        ()
    };
    ($t:ident) => {
        value_type!($t)
    };
}

macro_rules! check_row {
    (none, $snake:ident, [$($param:ident)* -> $($result:ident)*]) => {
        check::<($(value_type!($param),)*), result_type!($($result)*)>(crate::num::$snake);
    };
    ($imm:ident, $snake:ident, $sig:tt) => {};
}

#[cfg(test)]
macro_rules! count_row {
    (none, [$($sig:tt)*]) => {
        1
    };
    ($imm:ident, $sig:tt) => {
        0
    };
}

macro_rules! check_table {
    ($($name:ident = $encoding:literal, $snake:ident, $text:literal, $imm:ident, $sig:tt;)*) => {
        /// Never called: it exists to be type-checked.
        #[allow(dead_code)]
        fn every_row_has_semantics() {
            $(check_row!($imm, $snake, $sig);)*
        }

        /// How many rows `every_row_has_semantics` checks.
        #[cfg(test)]
        const CHECKED_ROWS: usize = 0 $(+ count_row!($imm, $sig))*;
    };
}

stratus_decoder::for_each_instruction!(check_table);

#[cfg(test)]
mod tests {
    #[test]
    fn the_table_check_covers_the_numeric_and_simd_rows() {
        // nop, 128 scalar numeric rows, 8 saturating truncations, 198 SIMD rows with no
        // immediates and the 20 relaxed SIMD ones; if this changes, the table gained or
        // lost such rows.
        assert_eq!(super::CHECKED_ROWS, 1 + 128 + 8 + 198 + 20);
    }
}
