//! Classic BPF as seccomp uses it: the instruction type, opcodes, `const fn`
//! constructors for every instruction the seccomp loader accepts, and the
//! tools that check and explain programs ([`verify()`], [`run()`],
//! [`Disasm`]).
//!
//! ```
//! use seccomp_bpf::bpf::{self, SockFilter};
//! use seccomp_bpf::data;
//!
//! // "A = nr; if A == 39 return ALLOW else return ERRNO(1)"
//! const PROG: [SockFilter; 4] = [
//!     bpf::ld_abs(data::NR),
//!     bpf::jeq_k(39, 0, 1),
//!     bpf::ret_k(0x7fff_0000),
//!     bpf::ret_k(0x0005_0001),
//! ];
//! assert_eq!(PROG[1].code, bpf::op::JMP | bpf::op::JEQ | bpf::op::K);
//! ```

pub mod cache;
pub mod disasm;
pub mod interp;
pub mod op;
pub mod verify;

pub use disasm::{Disasm, Line, Lines};
pub use interp::{Fault, FaultKind, Outcome, Step, run, run_traced, run_unverified};
pub use verify::{Reason, Verified, VerifyError, verify};

use crate::abi::ByteOrder;

/// One classic-BPF instruction, laid out as the kernel's `struct sock_filter`.
#[doc(alias = "sock_filter")]
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, PartialOrd, Ord)]
pub struct SockFilter {
    /// Opcode: class, size/mode or operation, and source bits.
    pub code: u16,
    /// Jump offset when the condition holds (relative to the next instruction).
    pub jt: u8,
    /// Jump offset when the condition fails (relative to the next instruction).
    pub jf: u8,
    /// The constant operand.
    pub k: u32,
}

static_assertions::assert_eq_size!(SockFilter, [u8; 8]);
static_assertions::const_assert_eq!(core::mem::offset_of!(SockFilter, code), 0);
static_assertions::const_assert_eq!(core::mem::offset_of!(SockFilter, jt), 2);
static_assertions::const_assert_eq!(core::mem::offset_of!(SockFilter, jf), 3);
static_assertions::const_assert_eq!(core::mem::offset_of!(SockFilter, k), 4);

impl SockFilter {
    /// A non-jump instruction (`BPF_STMT`).
    #[doc(alias = "BPF_STMT")]
    pub const fn stmt(code: u16, k: u32) -> Self {
        SockFilter {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    /// A jump instruction (`BPF_JUMP`).
    #[doc(alias = "BPF_JUMP")]
    pub const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> Self {
        SockFilter { code, jt, jf, k }
    }

    /// The instruction's 8 bytes in the given byte order, as the kernel of
    /// that byte order reads a `sock_filter`.
    pub const fn to_bytes(self, order: ByteOrder) -> [u8; 8] {
        let c = match order {
            ByteOrder::Little => self.code.to_le_bytes(),
            ByteOrder::Big => self.code.to_be_bytes(),
        };
        let k = match order {
            ByteOrder::Little => self.k.to_le_bytes(),
            ByteOrder::Big => self.k.to_be_bytes(),
        };
        [c[0], c[1], self.jt, self.jf, k[0], k[1], k[2], k[3]]
    }

    /// Reads an instruction from its 8 bytes in the given byte order.
    pub const fn from_bytes(b: [u8; 8], order: ByteOrder) -> Self {
        let (code, k) = match order {
            ByteOrder::Little => (
                u16::from_le_bytes([b[0], b[1]]),
                u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            ),
            ByteOrder::Big => (
                u16::from_be_bytes([b[0], b[1]]),
                u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
            ),
        };
        SockFilter {
            code,
            jt: b[2],
            jf: b[3],
            k,
        }
    }
}

/// A program as the kernel's `struct sock_fprog` points at it: a length and
/// a pointer to the first instruction. It borrows the instructions.
#[doc(alias = "sock_fprog")]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SockFprog<'a> {
    /// Number of instructions.
    pub len: u16,
    /// Pointer to the first instruction.
    pub filter: *const SockFilter,
    _borrow: core::marker::PhantomData<&'a [SockFilter]>,
}

impl<'a> SockFprog<'a> {
    /// Describes `prog`. Returns `None` when it has more instructions than
    /// the `u16` length field can carry (the kernel refuses more than 4096
    /// anyway; [`verify()`] says why).
    pub const fn new(prog: &'a [SockFilter]) -> Option<Self> {
        if prog.len() > u16::MAX as usize {
            return None;
        }
        Some(SockFprog {
            len: prog.len() as u16,
            filter: prog.as_ptr(),
            _borrow: core::marker::PhantomData,
        })
    }
}

#[cfg(target_pointer_width = "64")]
static_assertions::assert_eq_size!(SockFprog<'static>, [u8; 16]);
#[cfg(target_pointer_width = "64")]
static_assertions::const_assert_eq!(core::mem::offset_of!(SockFprog<'static>, filter), 8);
#[cfg(target_pointer_width = "32")]
static_assertions::assert_eq_size!(SockFprog<'static>, [u8; 8]);
#[cfg(target_pointer_width = "32")]
static_assertions::const_assert_eq!(core::mem::offset_of!(SockFprog<'static>, filter), 4);

use op::*;

/// `A = seccomp_data[k]` (32-bit word; `k` must be 4-aligned and below 64).
pub const fn ld_abs(k: u32) -> SockFilter {
    SockFilter::stmt(LD | W | ABS, k)
}
/// `A = sizeof(seccomp_data)` (64).
pub const fn ld_len() -> SockFilter {
    SockFilter::stmt(LD | W | LEN, 0)
}
/// `X = sizeof(seccomp_data)` (64).
pub const fn ldx_len() -> SockFilter {
    SockFilter::stmt(LDX | W | LEN, 0)
}
/// `A = k`.
pub const fn ld_imm(k: u32) -> SockFilter {
    SockFilter::stmt(LD | IMM, k)
}
/// `X = k`.
pub const fn ldx_imm(k: u32) -> SockFilter {
    SockFilter::stmt(LDX | IMM, k)
}
/// `A = M[k]` (scratch slot `k`, below 16).
pub const fn ld_mem(k: u32) -> SockFilter {
    SockFilter::stmt(LD | MEM, k)
}
/// `X = M[k]` (scratch slot `k`, below 16).
pub const fn ldx_mem(k: u32) -> SockFilter {
    SockFilter::stmt(LDX | MEM, k)
}
/// `M[k] = A`.
pub const fn st(k: u32) -> SockFilter {
    SockFilter::stmt(ST, k)
}
/// `M[k] = X`.
pub const fn stx(k: u32) -> SockFilter {
    SockFilter::stmt(STX, k)
}
/// `X = A`.
pub const fn tax() -> SockFilter {
    SockFilter::stmt(MISC | TAX, 0)
}
/// `A = X`.
pub const fn txa() -> SockFilter {
    SockFilter::stmt(MISC | TXA, 0)
}
/// `A = A <op> k` for an ALU operation ([`op::ADD`], [`op::SUB`], ...).
pub const fn alu_k(operation: u16, k: u32) -> SockFilter {
    SockFilter::stmt(ALU | operation | K, k)
}
/// `A = A <op> X` for an ALU operation ([`op::ADD`], [`op::SUB`], ...).
pub const fn alu_x(operation: u16) -> SockFilter {
    SockFilter::stmt(ALU | operation | X, 0)
}
/// `A = -A`.
pub const fn neg() -> SockFilter {
    SockFilter::stmt(ALU | NEG, 0)
}
/// `A &= k`.
pub const fn and_k(k: u32) -> SockFilter {
    alu_k(AND, k)
}
/// `A |= k`.
pub const fn or_k(k: u32) -> SockFilter {
    alu_k(OR, k)
}
/// `A += k`.
pub const fn add_k(k: u32) -> SockFilter {
    alu_k(ADD, k)
}
/// `A -= k`.
pub const fn sub_k(k: u32) -> SockFilter {
    alu_k(SUB, k)
}
/// `A ^= k`.
pub const fn xor_k(k: u32) -> SockFilter {
    alu_k(XOR, k)
}
/// `A <<= k` (`k` below 32).
pub const fn lsh_k(k: u32) -> SockFilter {
    alu_k(LSH, k)
}
/// `A >>= k` (`k` below 32).
pub const fn rsh_k(k: u32) -> SockFilter {
    alu_k(RSH, k)
}
/// `pc += k` (unconditional, forward).
pub const fn ja(k: u32) -> SockFilter {
    SockFilter::stmt(JMP | JA, k)
}
/// `if A == k goto +jt else goto +jf`.
pub const fn jeq_k(k: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(JMP | JEQ | K, k, jt, jf)
}
/// `if A > k goto +jt else goto +jf` (unsigned).
pub const fn jgt_k(k: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(JMP | JGT | K, k, jt, jf)
}
/// `if A >= k goto +jt else goto +jf` (unsigned).
pub const fn jge_k(k: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(JMP | JGE | K, k, jt, jf)
}
/// `if A & k != 0 goto +jt else goto +jf`.
pub const fn jset_k(k: u32, jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(JMP | JSET | K, k, jt, jf)
}
/// `if A == X goto +jt else goto +jf`.
pub const fn jeq_x(jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(JMP | JEQ | X, 0, jt, jf)
}
/// `if A > X goto +jt else goto +jf` (unsigned).
pub const fn jgt_x(jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(JMP | JGT | X, 0, jt, jf)
}
/// `if A >= X goto +jt else goto +jf` (unsigned).
pub const fn jge_x(jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(JMP | JGE | X, 0, jt, jf)
}
/// `if A & X != 0 goto +jt else goto +jf`.
pub const fn jset_x(jt: u8, jf: u8) -> SockFilter {
    SockFilter::jump(JMP | JSET | X, 0, jt, jf)
}
/// `return k`: the seccomp return value (see [`crate::Action::to_ret`]).
pub const fn ret_k(k: u32) -> SockFilter {
    SockFilter::stmt(RET | K, k)
}
/// `return A`.
pub const fn ret_a() -> SockFilter {
    SockFilter::stmt(RET | A, 0)
}
