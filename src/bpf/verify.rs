//! The checks the kernel runs before it accepts a seccomp filter, and the
//! length it charges for it.
//!
//! [`verify()`] decides exactly what `seccomp(SECCOMP_SET_MODE_FILTER)`
//! decides about the program itself (the test suite compares the two on
//! many thousands of programs). The kernel checks in this order, and
//! [`verify()`] reports the first failure in the same order:
//!
//! 1. the length: 1 to [`MAX_INSNS`] instructions;
//! 2. every instruction, first to last, against the generic classic-BPF
//!    rules: the opcode is a classic one, no division by a constant 0, no
//!    shift by 32 or more, scratch slots below 16, jumps forward and inside
//!    the program;
//! 3. the last instruction returns (`RET K` or `RET A`);
//! 4. the scratch-memory pass: every slot read is written first;
//! 5. seccomp's own list: only the opcodes of [`op::SECCOMP_OPCODES`], and
//!    a 32-bit absolute load is 4-aligned and inside `seccomp_data`.
//!
//! The scratch pass is a single linear walk, not a path analysis. It keeps
//! a running mask of the slots written so far (initially none) and one mask
//! per instruction (initially all slots). At each instruction the running
//! mask is ANDed with that instruction's mask; a store sets a bit; a load
//! of a clear bit fails; a jump ANDs the running mask into the masks of its
//! targets and then sets the running mask to all slots. A return does not
//! touch the running mask, so code after a return inherits what fell into
//! the return, and code after an unconditional jump that no jump targets
//! may read any slot.
//!
//! ```
//! use seccomp_bpf::bpf::{self, verify, Reason, VerifyError};
//!
//! const PROG: [bpf::SockFilter; 2] = [bpf::ld_abs(0), bpf::ret_a()];
//! // Checked at compile time.
//! const CHECKED: bpf::Verified = match verify(&PROG) {
//!     Ok(v) => v,
//!     Err(_) => panic!("bad filter"),
//! };
//! assert_eq!(CHECKED.len, 2);
//!
//! let bad = [bpf::ld_abs(62), bpf::ret_a()];
//! let err = verify(&bad).unwrap_err();
//! assert_eq!(err, VerifyError { pc: 0, reason: Reason::LoadMisaligned(62) });
//! assert_eq!(err.to_string(), "pc 0: load from offset 62, which is not a multiple of 4");
//! ```
//!
//! # The length budget
//!
//! The kernel translates each filter to its internal eBPF form and limits
//! the total length of a task's chain. [`charged_len`] gives the length a
//! filter is charged (translated length plus [`FILTER_OVERHEAD`]), and
//! [`fits_budget`] says whether one more filter can be attached:
//!
//! ```
//! use seccomp_bpf::bpf::{self, verify::{charged_len, fits_budget}};
//!
//! let allow = [bpf::ret_k(0x7fff_0000)];
//! let c = charged_len(&allow); // 3 prologue + 2 for RET K + 4
//! assert_eq!(c, 9);
//! let mut total = 0;
//! let mut n = 0;
//! while fits_budget(total, c) {
//!     total += c;
//!     n += 1;
//! }
//! assert_eq!(n, 3641); // what the 6.18 kernel installs before ENOMEM
//! ```

use core::fmt;

use super::SockFilter;
use super::op::{self, *};
use crate::data;

/// The most instructions a filter may have (`BPF_MAXINSNS`).
#[doc(alias = "BPF_MAXINSNS")]
pub const MAX_INSNS: usize = 4096;

/// The limit on the translated length of a task's filter chain
/// (`MAX_INSNS_PER_PATH`); see [`fits_budget`] for how it is applied.
#[doc(alias = "MAX_INSNS_PER_PATH")]
pub const CHAIN_BUDGET: u32 = 32768;

/// The penalty the kernel adds to the translated length of each filter
/// already in the chain.
pub const FILTER_OVERHEAD: u32 = 4;

/// Number of scratch-memory slots (`BPF_MEMWORDS`).
#[doc(alias = "BPF_MEMWORDS")]
pub const SCRATCH_SLOTS: u32 = 16;

/// Start of the kernel's ancillary-data offsets for absolute loads
/// (`SKF_AD_OFF`, -0x1000 as a `u32`).
const ANCILLARY_BASE: u32 = 0xffff_f000;
/// End of the ancillary offsets the kernel knows (`SKF_AD_MAX`).
const ANCILLARY_MAX: u32 = 64;

/// What [`verify()`] learned about an accepted program.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Verified {
    /// Number of instructions.
    pub len: usize,
    /// The length the kernel charges it against [`CHAIN_BUDGET`]:
    /// translated length plus [`FILTER_OVERHEAD`] (see [`charged_len`]).
    pub charged: u32,
}

/// Why [`verify()`] refused a program, and where.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VerifyError {
    /// Index of the offending instruction (0 for an empty program,
    /// [`MAX_INSNS`] for one that is too long).
    pub pc: usize,
    /// What is wrong with it.
    pub reason: Reason,
}

/// The reasons the kernel refuses a filter.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reason {
    /// The program has no instructions.
    Empty,
    /// The program has this many instructions, more than [`MAX_INSNS`].
    TooLong(usize),
    /// The opcode is not a classic-BPF instruction at all.
    UnknownOpcode(u16),
    /// Classic BPF has this opcode, but seccomp does not accept it
    /// (`MOD`, `LD H/B ABS`, `LD IND`, `LDX MSH`, ...).
    OpcodeNotForSeccomp(u16),
    /// An absolute load from this offset, which is outside `seccomp_data`.
    LoadOutOfRange(u32),
    /// An absolute load from this offset, which is not 4-aligned.
    LoadMisaligned(u32),
    /// A jump to a target at or past the end of the program.
    JumpOutOfRange,
    /// `DIV K` with `k == 0`.
    DivisionByZero,
    /// `LSH K` or `RSH K` by this amount, 32 or more.
    ShiftTooLarge(u32),
    /// A scratch-memory access of this slot, 16 or more.
    ScratchSlotOutOfRange(u32),
    /// A read of this scratch slot that the kernel's scratch pass does not
    /// see written first.
    ScratchReadBeforeWrite(u32),
    /// The last instruction is not `RET K` or `RET A`.
    LastNotReturn,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Reason::Empty => f.write_str("the program has no instructions"),
            Reason::TooLong(n) => {
                write!(f, "the program has {n} instructions, more than {MAX_INSNS}")
            }
            Reason::UnknownOpcode(c) => {
                write!(f, "opcode {c:#06x} is not a classic BPF instruction")
            }
            Reason::OpcodeNotForSeccomp(c) => write!(
                f,
                "opcode {c:#06x} is classic BPF but not allowed in a seccomp filter"
            ),
            Reason::LoadOutOfRange(k) => write!(
                f,
                "load from offset {k:#x}, outside the {} bytes of seccomp_data",
                data::SIZE
            ),
            Reason::LoadMisaligned(k) => {
                write!(f, "load from offset {k}, which is not a multiple of 4")
            }
            Reason::JumpOutOfRange => f.write_str("jump target past the last instruction"),
            Reason::DivisionByZero => f.write_str("division by the constant 0"),
            Reason::ShiftTooLarge(k) => write!(f, "shift by {k}, 32 or more"),
            Reason::ScratchSlotOutOfRange(k) => write!(
                f,
                "scratch slot {k} does not exist (slots are 0 to {})",
                SCRATCH_SLOTS - 1
            ),
            Reason::ScratchReadBeforeWrite(s) => {
                write!(f, "scratch slot {s} is read before it is written")
            }
            Reason::LastNotReturn => f.write_str("the last instruction is not a return"),
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pc {}: {}", self.pc, self.reason)
    }
}

impl core::error::Error for VerifyError {}

/// Whether `code` is a classic-BPF opcode the kernel's generic checker
/// knows (`chk_code_allowed`). Seccomp accepts only a subset of these; see
/// [`op::seccomp_accepts`]. `RET X` is not one of them.
pub const fn classic_accepts(code: u16) -> bool {
    // Codes with the size bits of a load or the source bit of an ALU/jump.
    matches!(
        code,
        // ALU, K and X forms, and NEG.
        0x04 | 0x0c | 0x14 | 0x1c | 0x24 | 0x2c | 0x34 | 0x3c | 0x44 | 0x4c
            | 0x54 | 0x5c | 0x64 | 0x6c | 0x74 | 0x7c | 0x84 | 0x94 | 0x9c
            | 0xa4 | 0xac
            // LD W/H/B ABS, LD W LEN, LD W/H/B IND, LD IMM, LD MEM.
            | 0x20 | 0x28 | 0x30 | 0x80 | 0x40 | 0x48 | 0x50 | 0x00 | 0x60
            // LDX W LEN, LDX B MSH, LDX IMM, LDX MEM.
            | 0x81 | 0xb1 | 0x01 | 0x61
            // ST, STX, TAX, TXA.
            | 0x02 | 0x03 | 0x07 | 0x87
            // RET K, RET A.
            | 0x06 | 0x16
            // JA and the conditional jumps, K and X forms.
            | 0x05 | 0x15 | 0x1d | 0x25 | 0x2d | 0x35 | 0x3d | 0x45 | 0x4d
    )
}

const fn is_cond_jump(code: u16) -> bool {
    code <= 0xff && op::class(code) == JMP && matches!(op::operation(code), JEQ | JGT | JGE | JSET)
}

const fn is_abs_load(code: u16) -> bool {
    code == LD | W | ABS || code == LD | H | ABS || code == LD | B | ABS
}

const fn known_ancillary(k: u32) -> bool {
    k >= ANCILLARY_BASE && (k - ANCILLARY_BASE) < ANCILLARY_MAX && k % 4 == 0
}

const fn fail(pc: usize, reason: Reason) -> Result<Verified, VerifyError> {
    Err(VerifyError { pc, reason })
}

/// Checks `prog` as the kernel's seccomp loader does, and says what it
/// would charge for it.
///
/// `verify` accepts a program if and only if
/// `seccomp(SECCOMP_SET_MODE_FILTER, 0, prog)` would get past its checks
/// (it does not know about the chain already installed: see
/// [`fits_budget`] for the length limit). It is a `const fn` and uses no
/// heap, so a `const` filter can be checked at compile time.
///
/// # Errors
///
/// The first failure in the kernel's order (see the [module docs](self)),
/// with the index of the instruction at fault.
pub const fn verify(prog: &[SockFilter]) -> Result<Verified, VerifyError> {
    let len = prog.len();
    if len == 0 {
        return fail(0, Reason::Empty);
    }
    if len > MAX_INSNS {
        return fail(MAX_INSNS, Reason::TooLong(len));
    }

    // The generic pass, instruction by instruction.
    let mut pc = 0;
    while pc < len {
        let insn = prog[pc];
        let code = insn.code;
        let k = insn.k;
        if !classic_accepts(code) {
            return fail(pc, Reason::UnknownOpcode(code));
        }
        if code == ALU | DIV | K || code == ALU | MOD | K {
            if k == 0 {
                return fail(pc, Reason::DivisionByZero);
            }
        } else if code == ALU | LSH | K || code == ALU | RSH | K {
            if k >= 32 {
                return fail(pc, Reason::ShiftTooLarge(k));
            }
        } else if code == LD | MEM || code == LDX | MEM || code == ST || code == STX {
            if k >= SCRATCH_SLOTS {
                return fail(pc, Reason::ScratchSlotOutOfRange(k));
            }
        } else if code == JMP | JA {
            // len <= 4096, so the widening is exact.
            if k as u64 >= (len - pc - 1) as u64 {
                return fail(pc, Reason::JumpOutOfRange);
            }
        } else if is_cond_jump(code) {
            if pc + 1 + insn.jt as usize >= len || pc + 1 + insn.jf as usize >= len {
                return fail(pc, Reason::JumpOutOfRange);
            }
        } else if is_abs_load(code) && k >= ANCILLARY_BASE && !known_ancillary(k) {
            return fail(pc, Reason::LoadOutOfRange(k));
        }
        pc += 1;
    }

    let last = prog[len - 1].code;
    if last != RET | K && last != RET | A {
        return fail(len - 1, Reason::LastNotReturn);
    }

    // The scratch pass (all jumps are known to be in range now).
    let mut masks = [u16::MAX; MAX_INSNS];
    let mut valid: u16 = 0;
    pc = 0;
    while pc < len {
        let insn = prog[pc];
        let code = insn.code;
        valid &= masks[pc];
        if code == ST || code == STX {
            valid |= 1 << insn.k;
        } else if code == LD | MEM || code == LDX | MEM {
            if valid & (1 << insn.k) == 0 {
                return fail(pc, Reason::ScratchReadBeforeWrite(insn.k));
            }
        } else if code == JMP | JA {
            // The `< len` tests always hold (the first pass checked every
            // target); they let the compiler drop the bounds checks, and
            // with them the panic path.
            let to = pc + 1 + insn.k as usize;
            if to < len {
                masks[to] &= valid;
            }
            valid = u16::MAX;
        } else if is_cond_jump(code) {
            let (to_t, to_f) = (pc + 1 + insn.jt as usize, pc + 1 + insn.jf as usize);
            if to_t < len {
                masks[to_t] &= valid;
            }
            if to_f < len {
                masks[to_f] &= valid;
            }
            valid = u16::MAX;
        }
        pc += 1;
    }

    // Seccomp's own list.
    pc = 0;
    while pc < len {
        let insn = prog[pc];
        if insn.code == LD | W | ABS {
            if insn.k >= data::SIZE {
                return fail(pc, Reason::LoadOutOfRange(insn.k));
            }
            if insn.k % 4 != 0 {
                return fail(pc, Reason::LoadMisaligned(insn.k));
            }
        } else if !op::seccomp_accepts(insn.code) {
            return fail(pc, Reason::OpcodeNotForSeccomp(insn.code));
        }
        pc += 1;
    }

    Ok(Verified {
        len,
        charged: charged_len(prog),
    })
}

/// The number of eBPF instructions the kernel translates `insn` into.
const fn translated_insn_len(insn: SockFilter) -> u32 {
    let code = insn.code;
    if code == RET | K {
        return 2;
    }
    if code == ALU | DIV | X || code == ALU | MOD | X {
        // A guard against division by zero, then the division.
        return 5;
    }
    if is_cond_jump(code) {
        let op = op::operation(code);
        let mut n = if insn.jf == 0 || (insn.jt == 0 && matches!(op, JEQ | JGT | JGE)) {
            1
        } else {
            // The condition, then a JA to the false target.
            2
        };
        if op::source(code) == K && (insn.k as i32) < 0 {
            // The constant is first moved into a register, zero-extended.
            n += 1;
        }
        return n;
    }
    1
}

/// The length the kernel charges for `prog` against [`CHAIN_BUDGET`]: its
/// translated (internal eBPF) length plus [`FILTER_OVERHEAD`].
///
/// The translated length is 3 for the prologue, plus for each instruction:
/// `RET K` 2, `DIV X` 5, a conditional jump 1 when `jf == 0` or when
/// `jt == 0` and the test is `JEQ`, `JGT` or `JGE`, else 2, plus 1 when its
/// constant is negative as an `i32`; every other instruction 1. It is
/// computed for any program, accepted or not, and saturates instead of
/// overflowing.
pub const fn charged_len(prog: &[SockFilter]) -> u32 {
    let mut total: u32 = 3 + FILTER_OVERHEAD;
    let mut pc = 0;
    while pc < prog.len() {
        total = total.saturating_add(translated_insn_len(prog[pc]));
        pc += 1;
    }
    total
}

/// Whether the kernel attaches one more filter charged `next` (see
/// [`charged_len`]) to a chain whose filters are charged `charged_so_far`
/// in total; `false` means it refuses with `ENOMEM`.
///
/// The kernel counts the new filter without its [`FILTER_OVERHEAD`]: it
/// refuses when `translated(next) + sum(translated(f) + 4 for f in chain)`
/// exceeds [`CHAIN_BUDGET`]. So `n` copies of a filter charged `c` fit
/// when `n * c <= CHAIN_BUDGET + FILTER_OVERHEAD`.
pub const fn fits_budget(charged_so_far: u32, next: u32) -> bool {
    let new = next.saturating_sub(FILTER_OVERHEAD) as u64;
    charged_so_far as u64 + new <= CHAIN_BUDGET as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::*;
    use std::string::ToString;

    const ALLOW: u32 = 0x7fff_0000;

    fn err(prog: &[SockFilter]) -> VerifyError {
        match verify(prog) {
            Ok(v) => panic!("accepted: {v:?}"),
            Err(e) => e,
        }
    }

    fn at(pc: usize, reason: Reason) -> VerifyError {
        VerifyError { pc, reason }
    }

    #[test]
    fn accepts_a_plain_filter() {
        let p = [
            ld_abs(data::ARCH),
            jeq_k(0xC000_003E, 1, 0),
            ret_k(0x8000_0000),
            ld_abs(data::NR),
            jeq_k(39, 0, 1),
            ret_k(ALLOW),
            ret_k(0x0005_0026),
        ];
        let v = verify(&p).unwrap();
        assert_eq!(v.len, 7);
        // Prologue 3, LD 1, JEQ 1 + 1 for the negative k, RET K 2, LD 1,
        // JEQ with jt == 0 1, RET K 2, RET K 2, overhead 4.
        assert_eq!(v.charged, 18);
    }

    #[test]
    fn verify_runs_at_compile_time() {
        const P: [SockFilter; 2] = [ld_imm(ALLOW), ret_a()];
        const V: Result<Verified, VerifyError> = verify(&P);
        const E: Result<Verified, VerifyError> = verify(&[ld_mem(3), ret_a()]);
        assert_eq!(V, Ok(Verified { len: 2, charged: 9 }));
        assert_eq!(E, Err(at(0, Reason::ScratchReadBeforeWrite(3))));
    }

    #[test]
    fn empty() {
        assert_eq!(err(&[]), at(0, Reason::Empty));
    }

    #[test]
    fn too_long() {
        let mut p = [ld_imm(0); MAX_INSNS + 1];
        p[MAX_INSNS] = ret_a();
        assert_eq!(err(&p), at(MAX_INSNS, Reason::TooLong(MAX_INSNS + 1)));
        p[MAX_INSNS - 1] = ret_a();
        assert_eq!(verify(&p[..MAX_INSNS]).map(|v| v.len), Ok(MAX_INSNS));
    }

    #[test]
    fn unknown_opcode() {
        let ret_x = SockFilter::stmt(RET | X, 0);
        assert_eq!(err(&[ret_x, ret_a()]), at(0, Reason::UnknownOpcode(0x0e)));
        let p = [ld_imm(0), SockFilter::stmt(0x1234, 0), ret_a()];
        assert_eq!(err(&p), at(1, Reason::UnknownOpcode(0x1234)));
        // LDX W ABS is how seccomp rewrites LD W ABS internally; users may
        // not write it.
        let ldx_abs = SockFilter::stmt(LDX | W | ABS, 0);
        assert_eq!(err(&[ldx_abs, ret_a()]), at(0, Reason::UnknownOpcode(0x21)));
    }

    #[test]
    fn opcode_not_for_seccomp() {
        for code in [
            ALU | MOD | K,
            ALU | MOD | X,
            LD | H | ABS,
            LD | B | ABS,
            LD | W | IND,
            LD | H | IND,
            LD | B | IND,
            LDX | B | MSH,
        ] {
            let p = [ld_imm(0), SockFilter::stmt(code, 1), ret_a()];
            assert_eq!(err(&p), at(1, Reason::OpcodeNotForSeccomp(code)));
        }
        // A known ancillary offset passes the generic checks, so the
        // opcode is what seccomp refuses.
        let p = [SockFilter::stmt(LD | B | ABS, 0xffff_f000), ret_a()];
        assert_eq!(err(&p), at(0, Reason::OpcodeNotForSeccomp(LD | B | ABS)));
    }

    #[test]
    fn load_out_of_range_and_misaligned() {
        assert!(verify(&[ld_abs(60), ret_a()]).is_ok());
        assert_eq!(
            err(&[ld_abs(64), ret_a()]),
            at(0, Reason::LoadOutOfRange(64))
        );
        assert_eq!(
            err(&[ld_abs(62), ret_a()]),
            at(0, Reason::LoadMisaligned(62))
        );
        assert_eq!(
            err(&[ld_abs(66), ret_a()]),
            at(0, Reason::LoadOutOfRange(66))
        );
        assert_eq!(err(&[ld_abs(1), ret_a()]), at(0, Reason::LoadMisaligned(1)));
        // An unknown ancillary offset fails in the generic pass, before the
        // last-instruction check; a known one only in seccomp's.
        let unknown = [ld_abs(0xffff_f040), ld_imm(0)];
        assert_eq!(err(&unknown), at(0, Reason::LoadOutOfRange(0xffff_f040)));
        let known = [ld_abs(0xffff_f000), ld_imm(0)];
        assert_eq!(err(&known), at(1, Reason::LastNotReturn));
        let known = [ld_abs(0xffff_f03c), ret_a()];
        assert_eq!(err(&known), at(0, Reason::LoadOutOfRange(0xffff_f03c)));
    }

    #[test]
    fn jump_out_of_range() {
        // JA k must stay below len - pc - 1.
        let p = [ja(1), ret_k(0), ret_k(ALLOW)];
        assert!(verify(&p).is_ok());
        let p = [ja(2), ret_k(0), ret_k(ALLOW)];
        assert_eq!(err(&p), at(0, Reason::JumpOutOfRange));
        let p = [ja(u32::MAX), ret_k(ALLOW)];
        assert_eq!(err(&p), at(0, Reason::JumpOutOfRange));
        // A conditional jump may land on the last instruction, not past it.
        let p = [jeq_k(0, 1, 0), ret_k(0), ret_k(ALLOW)];
        assert!(verify(&p).is_ok());
        let p = [jeq_k(0, 2, 0), ret_k(0), ret_k(ALLOW)];
        assert_eq!(err(&p), at(0, Reason::JumpOutOfRange));
        let p = [jset_x(0, 2), ret_k(0), ret_k(ALLOW)];
        assert_eq!(err(&p), at(0, Reason::JumpOutOfRange));
    }

    #[test]
    fn division_by_zero() {
        let p = [ld_imm(1), alu_k(DIV, 0), ret_a()];
        assert_eq!(err(&p), at(1, Reason::DivisionByZero));
        assert!(verify(&[alu_k(DIV, 1), ret_a()]).is_ok());
        // The generic pass sees MOD K 0 before seccomp refuses MOD at all.
        let p = [alu_k(MOD, 0), ret_a()];
        assert_eq!(err(&p), at(0, Reason::DivisionByZero));
        // Division by X is checked at run time, not here.
        assert!(verify(&[alu_x(DIV), ret_a()]).is_ok());
    }

    #[test]
    fn shift_too_large() {
        assert!(verify(&[lsh_k(31), rsh_k(31), ret_a()]).is_ok());
        assert_eq!(err(&[lsh_k(32), ret_a()]), at(0, Reason::ShiftTooLarge(32)));
        let p = [rsh_k(1), rsh_k(u32::MAX), ret_a()];
        assert_eq!(err(&p), at(1, Reason::ShiftTooLarge(u32::MAX)));
    }

    #[test]
    fn scratch_slot_out_of_range() {
        assert!(verify(&[st(15), ld_mem(15), ret_a()]).is_ok());
        for insn in [st(16), stx(16), ld_mem(16), ldx_mem(16)] {
            assert_eq!(
                err(&[insn, ret_a()]),
                at(0, Reason::ScratchSlotOutOfRange(16))
            );
        }
    }

    #[test]
    fn scratch_read_before_write() {
        assert_eq!(
            err(&[ld_mem(0), ret_a()]),
            at(0, Reason::ScratchReadBeforeWrite(0))
        );
        // Written on one path only.
        let p = [jeq_k(0, 0, 1), st(2), ldx_mem(2), ret_a()];
        assert_eq!(err(&p), at(2, Reason::ScratchReadBeforeWrite(2)));
        // Written on both paths.
        let p = [st(2), jeq_k(0, 0, 1), ld_imm(1), ldx_mem(2), ret_a()];
        assert!(verify(&p).is_ok());
        // A return does not reset the running mask: after a return the
        // slots written before it still count, and the others do not.
        let p = [st(1), ret_k(ALLOW), ld_mem(1), ret_a()];
        assert!(verify(&p).is_ok());
        let p = [st(1), ret_k(ALLOW), ld_mem(2), ret_a()];
        assert_eq!(err(&p), at(2, Reason::ScratchReadBeforeWrite(2)));
        // After an unconditional jump, code no jump reaches may read
        // anything; the jump's target may not.
        let p = [ja(1), ld_mem(7), ret_a()];
        assert!(verify(&p).is_ok());
        let p = [ja(0), ld_mem(7), ret_a()];
        assert_eq!(err(&p), at(1, Reason::ScratchReadBeforeWrite(7)));
    }

    #[test]
    fn last_not_return() {
        assert_eq!(err(&[ld_imm(0)]), at(0, Reason::LastNotReturn));
        // Checked after every instruction's own checks.
        let p = [lsh_k(40), ld_imm(0)];
        assert_eq!(err(&p), at(0, Reason::ShiftTooLarge(40)));
        // And before the scratch pass and seccomp's list.
        let p = [ld_mem(0), alu_k(MOD, 3), ld_imm(0)];
        assert_eq!(err(&p), at(2, Reason::LastNotReturn));
    }

    #[test]
    fn scratch_pass_runs_before_seccomp_list() {
        let p = [ld_abs(64), ld_mem(0), ret_a()];
        assert_eq!(err(&p), at(1, Reason::ScratchReadBeforeWrite(0)));
    }

    #[test]
    fn charged_length_rules() {
        let base = 3 + FILTER_OVERHEAD;
        let cases: [(SockFilter, u32); 16] = [
            (ret_k(ALLOW), 2),
            (ret_a(), 1),
            (alu_x(DIV), 5),
            (alu_k(DIV, 3), 1),
            (alu_k(ADD, 0x8000_0000), 1),
            (ld_abs(0), 1),
            (ja(0), 1),
            (jeq_k(1, 0, 0), 1),
            (jeq_k(1, 1, 0), 1),
            (jeq_k(1, 0, 1), 1),
            (jset_k(1, 0, 1), 2),
            (jgt_x(1, 1), 2),
            (jge_x(0, 1), 1),
            (jeq_k(0x8000_0000, 1, 0), 2),
            (jset_k(0xffff_ffff, 0, 1), 3),
            (jge_k(0xC000_003E, 1, 1), 3),
        ];
        for (insn, cost) in cases {
            assert_eq!(charged_len(&[insn]), base + cost, "{insn:?}");
        }
        assert_eq!(charged_len(&[]), base);
    }

    #[test]
    fn budget_boundary() {
        assert!(fits_budget(0, CHAIN_BUDGET + FILTER_OVERHEAD));
        assert!(!fits_budget(0, CHAIN_BUDGET + FILTER_OVERHEAD + 1));
        assert!(fits_budget(CHAIN_BUDGET - 5, 9));
        assert!(!fits_budget(CHAIN_BUDGET - 4, 9));
        assert!(!fits_budget(u32::MAX, u32::MAX));
    }

    #[test]
    fn display() {
        let e = at(3, Reason::JumpOutOfRange);
        assert_eq!(e.to_string(), "pc 3: jump target past the last instruction");
        assert_eq!(
            Reason::OpcodeNotForSeccomp(0x94).to_string(),
            "opcode 0x0094 is classic BPF but not allowed in a seccomp filter"
        );
        assert_eq!(
            Reason::LoadOutOfRange(64).to_string(),
            "load from offset 0x40, outside the 64 bytes of seccomp_data"
        );
    }

    #[test]
    fn classic_list_contains_seccomp_list() {
        for code in op::SECCOMP_OPCODES {
            assert!(classic_accepts(code), "{code:#x}");
        }
        assert!(!classic_accepts(RET | X));
        assert!(!classic_accepts(0x100 | (LD | IMM)));
    }
}
