//! A cursor over the input bytes: fixed-width numbers, LEB128 with the spec's exact
//! length and range rules, names. Every read is bounds-checked and reports the absolute
//! offset of the byte it stopped at.

use crate::error::{DecodeError, DecodeErrorKind, Result};
use crate::proposal::Features;

#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Absolute offset of `data[0]` in the module, for error offsets.
    base: usize,
    /// Running off the end is `unexpected end` at the top level, and
    /// `unexpected end of section or function` inside a section.
    nested: bool,
    /// The proposals whose encodings are read; others are refused by name.
    features: Features,
}

impl<'a> Reader<'a> {
    /// A reader over a whole module.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0, base: 0, nested: false, features: Features::default() }
    }

    /// A reader over part of a module: `data` starts at absolute offset `base`.
    pub fn nested(data: &'a [u8], base: usize) -> Self {
        Reader { data, pos: 0, base, nested: true, features: Features::default() }
    }

    /// This reader, reading the encodings of the proposals `features` allows (all that
    /// Stratus implements unless told otherwise) and refusing the others.
    #[must_use]
    pub fn with_features(self, features: Features) -> Self {
        Reader { features, ..self }
    }

    #[inline]
    pub fn features(&self) -> Features {
        self.features
    }

    /// The absolute offset of the next byte.
    #[inline]
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// The position of the next byte relative to this reader's start.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    #[inline]
    pub fn set_position(&mut self, pos: usize) {
        debug_assert!(pos <= self.data.len());
        self.pos = pos;
    }

    #[inline]
    pub fn eof(&self) -> bool {
        self.pos >= self.data.len()
    }

    #[inline]
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The bytes this reader covers.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn error(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::new(self.offset(), kind)
    }

    pub fn error_at(&self, pos: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::new(self.base + pos, kind)
    }

    #[cold]
    fn end_error(&self) -> DecodeError {
        let kind = if self.nested {
            DecodeErrorKind::UnexpectedEndOfSection
        } else {
            DecodeErrorKind::UnexpectedEnd
        };
        DecodeError::new(self.base + self.data.len(), kind)
    }

    #[inline]
    pub fn read_u8(&mut self) -> Result<u8> {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(self.end_error()),
        }
    }

    #[inline]
    pub fn peek_u8(&self) -> Result<u8> {
        self.data.get(self.pos).copied().ok_or_else(|| self.end_error())
    }

    #[inline]
    pub fn read_bytes(&mut self, len: usize) -> Result<&'a [u8]> {
        if len > self.remaining() {
            return Err(self.end_error());
        }
        let bytes = &self.data[self.pos..self.pos + len];
        self.pos += len;
        Ok(bytes)
    }

    #[inline]
    pub fn read_array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.read_bytes(N)?;
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    #[inline]
    pub fn read_u32(&mut self) -> Result<u32> {
        let byte = self.read_u8()?;
        if byte & 0x80 == 0 {
            return Ok(u32::from(byte));
        }
        self.read_u32_tail(byte)
    }

    fn read_u32_tail(&mut self, first: u8) -> Result<u32> {
        let mut result = u32::from(first & 0x7F);
        let mut shift = 7;
        loop {
            let at = self.pos;
            let byte = self.read_u8()?;
            if shift == 28 {
                if byte & 0x80 != 0 {
                    return Err(self.error_at(at, DecodeErrorKind::IntegerRepresentationTooLong));
                }
                if byte & 0x70 != 0 {
                    return Err(self.error_at(at, DecodeErrorKind::IntegerTooLarge));
                }
            }
            result |= u32::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
        }
    }

    /// An unsigned 64-bit LEB128 number (memory64's limits and offsets).
    pub fn read_u64(&mut self) -> Result<u64> {
        let mut result = 0u64;
        let mut shift = 0;
        loop {
            let at = self.pos;
            let byte = self.read_u8()?;
            if shift == 63 {
                if byte & 0x80 != 0 {
                    return Err(self.error_at(at, DecodeErrorKind::IntegerRepresentationTooLong));
                }
                if byte & 0x7E != 0 {
                    return Err(self.error_at(at, DecodeErrorKind::IntegerTooLarge));
                }
            }
            result |= u64::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
        }
    }

    /// A signed LEB128 number of `BITS` bits (32, 33 or 64), sign-extended to `i64`.
    #[inline]
    fn read_signed<const BITS: u32>(&mut self) -> Result<i64> {
        let mut result: i64 = 0;
        let mut shift = 0;
        loop {
            let at = self.pos;
            let byte = self.read_u8()?;
            let last_group = shift + 7 >= BITS;
            if last_group {
                if byte & 0x80 != 0 {
                    return Err(self.error_at(at, DecodeErrorKind::IntegerRepresentationTooLong));
                }
                // The bits at and above the value's sign bit must all equal the sign.
                let used = BITS - shift;
                let sign_and_unused = (byte as i8) << 1 >> used;
                if sign_and_unused != 0 && sign_and_unused != -1 {
                    return Err(self.error_at(at, DecodeErrorKind::IntegerTooLarge));
                }
            }
            result |= i64::from(byte & 0x7F) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                if shift < 64 && byte & 0x40 != 0 {
                    result |= -1 << shift;
                }
                return Ok(result);
            }
        }
    }

    #[inline]
    pub fn read_i32(&mut self) -> Result<i32> {
        let byte = self.peek_u8()?;
        if byte & 0x80 == 0 {
            self.pos += 1;
            return Ok(i32::from((byte << 1) as i8 >> 1));
        }
        self.read_signed::<32>().map(|v| v as i32)
    }

    #[inline]
    pub fn read_i64(&mut self) -> Result<i64> {
        let byte = self.peek_u8()?;
        if byte & 0x80 == 0 {
            self.pos += 1;
            return Ok(i64::from((byte << 1) as i8 >> 1));
        }
        self.read_signed::<64>()
    }

    /// A signed 33-bit number, as block types use for type indices.
    pub fn read_i33(&mut self) -> Result<i64> {
        self.read_signed::<33>()
    }

    #[inline]
    pub fn read_f32_bits(&mut self) -> Result<u32> {
        self.read_array::<4>().map(u32::from_le_bytes)
    }

    #[inline]
    pub fn read_f64_bits(&mut self) -> Result<u64> {
        self.read_array::<8>().map(u64::from_le_bytes)
    }

    /// A length prefix for `len` items of at least `min_item_size` bytes each; a length
    /// that cannot fit in what is left is refused before anything is allocated.
    pub fn read_count(&mut self, min_item_size: usize, limit: usize, what: &'static str) -> Result<u32> {
        let at = self.pos;
        let count = self.read_u32()?;
        if count as usize > limit {
            return Err(self.error_at(at, DecodeErrorKind::LimitExceeded { what, limit }));
        }
        if (count as usize).saturating_mul(min_item_size) > self.remaining() {
            return Err(self.end_error());
        }
        Ok(count)
    }

    /// A length-prefixed byte string.
    pub fn read_byte_vec(&mut self) -> Result<&'a [u8]> {
        self.read_sized().map(|reader| reader.data)
    }

    /// A length-prefixed UTF-8 name.
    pub fn read_name(&mut self) -> Result<&'a str> {
        let start = self.offset();
        let bytes = self.read_byte_vec()?;
        if bytes.len() > crate::limits::MAX_NAME_LEN {
            return Err(DecodeError::new(
                start,
                DecodeErrorKind::LimitExceeded {
                    what: "bytes in a name",
                    limit: crate::limits::MAX_NAME_LEN,
                },
            ));
        }
        std::str::from_utf8(bytes).map_err(|_| DecodeError::new(start, DecodeErrorKind::MalformedUtf8))
    }

    /// Reads a length prefix and splits off that many bytes as a reader of their own.
    /// A length past the end is reported at the length.
    pub fn read_sized(&mut self) -> Result<Reader<'a>> {
        let len_at = self.pos;
        let len = self.read_u32()? as usize;
        let base = self.offset();
        if len > self.remaining() {
            return Err(self.error_at(len_at, DecodeErrorKind::LengthOutOfBounds));
        }
        let data = self.read_bytes(len)?;
        Ok(Reader::nested(data, base).with_features(self.features))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn u32_of(bytes: &[u8]) -> Result<u32> {
        Reader::new(bytes).read_u32()
    }

    fn i32_of(bytes: &[u8]) -> Result<i32> {
        Reader::new(bytes).read_i32()
    }

    fn i64_of(bytes: &[u8]) -> Result<i64> {
        Reader::new(bytes).read_i64()
    }

    #[test]
    fn u32_edges() {
        assert_eq!(u32_of(&[0x00]).unwrap(), 0);
        assert_eq!(u32_of(&[0x80, 0x00]).unwrap(), 0, "padded zero is allowed");
        assert_eq!(u32_of(&[0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).unwrap(), u32::MAX);
        let too_large = u32_of(&[0xFF, 0xFF, 0xFF, 0xFF, 0x1F]).unwrap_err();
        assert_eq!(too_large.kind, DecodeErrorKind::IntegerTooLarge);
        assert_eq!(too_large.offset, 4);
        let too_long = u32_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).unwrap_err();
        assert_eq!(too_long.kind, DecodeErrorKind::IntegerRepresentationTooLong);
        assert_eq!(u32_of(&[0x80]).unwrap_err().kind, DecodeErrorKind::UnexpectedEnd);
    }

    #[test]
    fn signed_edges() {
        assert_eq!(i32_of(&[0x7F]).unwrap(), -1);
        assert_eq!(i32_of(&[0xFF, 0xFF, 0xFF, 0xFF, 0x7F]).unwrap(), -1);
        assert_eq!(i32_of(&[0x80, 0x80, 0x80, 0x80, 0x78]).unwrap(), i32::MIN);
        assert_eq!(i32_of(&[0xFF, 0xFF, 0xFF, 0xFF, 0x07]).unwrap(), i32::MAX);
        assert_eq!(
            i32_of(&[0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).unwrap_err().kind,
            DecodeErrorKind::IntegerTooLarge
        );
        assert_eq!(
            i32_of(&[0x80, 0x80, 0x80, 0x80, 0x70]).unwrap_err().kind,
            DecodeErrorKind::IntegerTooLarge
        );
        let min64 = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F];
        assert_eq!(i64_of(&min64).unwrap(), i64::MIN);
        let bad64 = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        assert_eq!(i64_of(&bad64).unwrap_err().kind, DecodeErrorKind::IntegerTooLarge);
        let mut r = Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
        assert_eq!(r.read_i33().unwrap(), 0xFFFF_FFFF);
        let mut r = Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0x7F]);
        assert_eq!(r.read_i33().unwrap(), -1);
        let mut r = Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0x1F]);
        assert_eq!(r.read_i33().unwrap_err().kind, DecodeErrorKind::IntegerTooLarge);
    }

    #[test]
    fn nested_reader_reports_absolute_offsets() {
        let bytes = [0, 0, 0, 1, 0x80];
        let mut outer = Reader::new(&bytes);
        outer.read_bytes(3).unwrap();
        let mut inner = outer.read_sized().unwrap();
        let err = inner.read_u32().unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::UnexpectedEndOfSection);
        assert_eq!(err.offset, 5);
    }

    #[test]
    fn lengths_past_the_end_are_reported_at_the_length() {
        let mut reader = Reader::new(&[0, 0x82, 0x00, 1]);
        reader.read_u8().unwrap();
        let err = reader.read_sized().unwrap_err();
        assert_eq!((err.offset, err.kind), (1, DecodeErrorKind::LengthOutOfBounds));
        let err = Reader::new(&[5, b'a']).read_name().unwrap_err();
        assert_eq!((err.offset, err.kind), (0, DecodeErrorKind::LengthOutOfBounds));
    }

    proptest! {
        #[test]
        fn minimal_leb_round_trips(v: u32, s: i32, l: i64) {
            let mut buf = Vec::new();
            leb128::write::unsigned(&mut buf, u64::from(v)).unwrap();
            leb128::write::signed(&mut buf, i64::from(s)).unwrap();
            leb128::write::signed(&mut buf, l).unwrap();
            let mut r = Reader::new(&buf);
            prop_assert_eq!(r.read_u32().unwrap(), v);
            prop_assert_eq!(r.read_i32().unwrap(), s);
            prop_assert_eq!(r.read_i64().unwrap(), l);
            prop_assert!(r.eof());
        }

        #[test]
        fn padded_u32_within_five_bytes_round_trips(v: u32, pad in 0usize..5) {
            let mut buf = Vec::new();
            leb128::write::unsigned(&mut buf, u64::from(v)).unwrap();
            // Pad with continuation bytes up to five bytes in all, as encoders may.
            while buf.len() < 5 && pad > 0 && buf.len() < pad + 1 {
                let last = buf.len() - 1;
                buf[last] |= 0x80;
                buf.push(0);
            }
            prop_assert_eq!(Reader::new(&buf).read_u32().unwrap(), v);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes: Vec<u8>) {
            let mut r = Reader::new(&bytes);
            let _ = r.read_u32();
            let _ = r.read_i32();
            let _ = r.read_i64();
            let _ = r.read_i33();
            let _ = r.read_name();
        }
    }
}
