//! `struct seccomp_data`: what a filter reads, and where each word is.
//!
//! A filter loads 32-bit words. The 64-bit fields (`instruction_pointer`,
//! `args[i]`) are two words each, and which word is the low half depends on
//! the byte order of the ABI:
//!
//! ```text
//! offset   field                 little-endian      big-endian
//!  0       nr            (i32)
//!  4       arch          (u32)
//!  8       instruction_pointer   low half @ 8       high half @ 8
//!                                high half @ 12     low half @ 12
//! 16+8i    args[i]               low half @ 16+8i   high half @ 16+8i
//!                                high @ 16+8i+4     low @ 16+8i+4
//! ```
//!
//! ```
//! use seccomp_bpf::{data, ByteOrder};
//! assert_eq!(data::arg_lo(1, ByteOrder::Little), 24);
//! assert_eq!(data::arg_lo(1, ByteOrder::Big), 28);
//! assert_eq!(data::arg_hi(1, ByteOrder::Big), 24);
//! ```

use crate::abi::ByteOrder;

/// The data a seccomp filter runs over, as `struct seccomp_data`.
#[doc(alias = "seccomp_data")]
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct SeccompData {
    /// The system-call number, as the ABI numbers it.
    pub nr: i32,
    /// The `AUDIT_ARCH_*` value of the ABI the call came through.
    pub arch: u32,
    /// The address of the system-call instruction (after it, on most arches).
    pub instruction_pointer: u64,
    /// The six argument registers.
    pub args: [u64; 6],
}

static_assertions::assert_eq_size!(SeccompData, [u8; 64]);
static_assertions::const_assert_eq!(core::mem::offset_of!(SeccompData, nr), 0);
static_assertions::const_assert_eq!(core::mem::offset_of!(SeccompData, arch), 4);
static_assertions::const_assert_eq!(core::mem::offset_of!(SeccompData, instruction_pointer), 8);
static_assertions::const_assert_eq!(core::mem::offset_of!(SeccompData, args), 16);

/// Size of `struct seccomp_data` (what `LD LEN` loads).
pub const SIZE: u32 = 64;
/// Offset of `nr`.
pub const NR: u32 = 0;
/// Offset of `arch`.
pub const ARCH: u32 = 4;
/// Offset of `instruction_pointer` (its first word).
pub const INSTRUCTION_POINTER: u32 = 8;
/// Offset of `args[0]` (its first word).
pub const ARGS: u32 = 16;

/// Offset of the low 32 bits of `args[i]` (`i` below 6).
pub const fn arg_lo(i: u8, order: ByteOrder) -> u32 {
    ARGS + 8 * i as u32 + lo_shift(order)
}

/// Offset of the high 32 bits of `args[i]` (`i` below 6).
pub const fn arg_hi(i: u8, order: ByteOrder) -> u32 {
    ARGS + 8 * i as u32 + (4 - lo_shift(order))
}

/// Offset of the low 32 bits of `instruction_pointer`.
pub const fn ip_lo(order: ByteOrder) -> u32 {
    INSTRUCTION_POINTER + lo_shift(order)
}

/// Offset of the high 32 bits of `instruction_pointer`.
pub const fn ip_hi(order: ByteOrder) -> u32 {
    INSTRUCTION_POINTER + (4 - lo_shift(order))
}

const fn lo_shift(order: ByteOrder) -> u32 {
    match order {
        ByteOrder::Little => 0,
        ByteOrder::Big => 4,
    }
}

/// What a 32-bit load at an offset of `seccomp_data` reads.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Field {
    /// `nr`.
    Nr,
    /// `arch`.
    Arch,
    /// The low half of `instruction_pointer`.
    IpLo,
    /// The high half of `instruction_pointer`.
    IpHi,
    /// The low half of `args[i]`.
    ArgLo(u8),
    /// The high half of `args[i]`.
    ArgHi(u8),
}

impl Field {
    /// The field a 4-aligned offset below 64 reads on an ABI of this byte
    /// order; `None` for any other offset.
    pub const fn at(offset: u32, order: ByteOrder) -> Option<Field> {
        if offset % 4 != 0 || offset >= SIZE {
            return None;
        }
        let low_first = matches!(order, ByteOrder::Little);
        Some(match offset {
            NR => Field::Nr,
            ARCH => Field::Arch,
            8 | 12 => {
                if (offset == 8) == low_first {
                    Field::IpLo
                } else {
                    Field::IpHi
                }
            }
            _ => {
                let i = ((offset - ARGS) / 8) as u8;
                if (offset % 8 == 0) == low_first {
                    Field::ArgLo(i)
                } else {
                    Field::ArgHi(i)
                }
            }
        })
    }
}

impl SeccompData {
    /// The data of a call `nr` with arguments `args` through an ABI whose
    /// audit arch is `arch`, at instruction pointer 0.
    pub const fn new(nr: i32, arch: u32, args: [u64; 6]) -> Self {
        SeccompData {
            nr,
            arch,
            instruction_pointer: 0,
            args,
        }
    }

    /// The 32-bit word a filter's `LD ABS offset` reads, for data laid out
    /// in `order`; `None` where the load is not aligned or out of range.
    pub const fn word(&self, offset: u32, order: ByteOrder) -> Option<u32> {
        let field = match Field::at(offset, order) {
            Some(f) => f,
            None => return None,
        };
        Some(match field {
            Field::Nr => self.nr as u32,
            Field::Arch => self.arch,
            Field::IpLo => self.instruction_pointer as u32,
            Field::IpHi => (self.instruction_pointer >> 32) as u32,
            Field::ArgLo(i) => self.args[i as usize] as u32,
            Field::ArgHi(i) => (self.args[i as usize] >> 32) as u32,
        })
    }

    /// The struct's 64 bytes in `order`, as a kernel of that byte order
    /// lays it out.
    pub const fn to_bytes(&self, order: ByteOrder) -> [u8; 64] {
        let mut out = [0u8; 64];
        let mut off = 0;
        while off < SIZE {
            let w = match self.word(off, order) {
                Some(w) => w,
                None => 0,
            };
            let b = match order {
                ByteOrder::Little => w.to_le_bytes(),
                ByteOrder::Big => w.to_be_bytes(),
            };
            let o = off as usize;
            out[o] = b[0];
            out[o + 1] = b[1];
            out[o + 2] = b[2];
            out[o + 3] = b[3];
            off += 4;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_follow_byte_order() {
        let d = SeccompData {
            nr: 59,
            arch: 0xC000_003E,
            instruction_pointer: 0x1111_2222_3333_4444,
            args: [0xAAAA_0000_BBBB_0001, 2, 3, 4, 5, 0x6000_0000_0000_0006],
        };
        for order in [ByteOrder::Little, ByteOrder::Big] {
            assert_eq!(d.word(NR, order), Some(59));
            assert_eq!(d.word(ARCH, order), Some(0xC000_003E));
            assert_eq!(d.word(ip_lo(order), order), Some(0x3333_4444));
            assert_eq!(d.word(ip_hi(order), order), Some(0x1111_2222));
            assert_eq!(d.word(arg_lo(0, order), order), Some(0xBBBB_0001));
            assert_eq!(d.word(arg_hi(0, order), order), Some(0xAAAA_0000));
            assert_eq!(d.word(arg_hi(5, order), order), Some(0x6000_0000));
            assert_eq!(d.word(arg_lo(5, order), order), Some(6));
            assert_eq!(d.word(2, order), None);
            assert_eq!(d.word(64, order), None);
        }
        // The byte image agrees with a native struct's memory on this host.
        let native = d.to_bytes(ByteOrder::NATIVE);
        assert_eq!(&native[8..16], &d.instruction_pointer.to_ne_bytes());
        assert_eq!(&native[16..24], &d.args[0].to_ne_bytes());
        assert_eq!(
            &d.to_bytes(ByteOrder::Big)[16..24],
            &d.args[0].to_be_bytes()
        );
    }

    #[test]
    fn offsets_by_byte_order() {
        for i in 0..6u8 {
            let base = 16 + 8 * i as u32;
            assert_eq!(arg_lo(i, ByteOrder::Little), base);
            assert_eq!(arg_hi(i, ByteOrder::Little), base + 4);
            assert_eq!(arg_lo(i, ByteOrder::Big), base + 4);
            assert_eq!(arg_hi(i, ByteOrder::Big), base);
            assert_eq!(Field::at(base, ByteOrder::Big), Some(Field::ArgHi(i)));
        }
        assert_eq!(ip_lo(ByteOrder::Big), 12);
    }
}
