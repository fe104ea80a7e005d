//! An interpreter for seccomp filters: what the kernel returns for a call.
//!
//! [`run`] checks the program first (as the kernel's loader would, with
//! [`verify()`](super::verify())) and then executes it over a
//! [`SeccompData`] with the semantics the kernel gives classic BPF under
//! seccomp:
//!
//! - A, X and the 16 scratch slots start at 0 (the checker makes sure a slot
//!   is written on every path before it is read);
//! - `LD W ABS k` reads the 32-bit word at offset `k` of `seccomp_data` as a
//!   kernel of byte order `order` lays it out ([`SeccompData::word`]), and
//!   `LD W LEN` / `LDX W LEN` give 64;
//! - ALU operations are 32-bit and wrap; `DIV` is unsigned, and a division
//!   by `X == 0` ends the program with return value 0 (`KILL_THREAD`);
//! - shifts by `X` use the low 5 bits of X (`A << (X & 31)`). The kernel
//!   translates classic BPF to eBPF `ALU32` shifts unchanged
//!   (`bpf_convert_filter`), its eBPF interpreter masks the count with 31
//!   for 32-bit shifts, and the x86-64 JIT's `shl/shr r32, cl` masks it in
//!   hardware; `tests/kernel_interp.rs` checks counts of 32 and more on the
//!   running kernel. Shifts by a constant of 32 or more are refused by the
//!   checker;
//! - jumps are relative to the next instruction and only go forward, so a
//!   program runs at most once through each instruction.
//!
//! ```
//! use seccomp_bpf::bpf::{self, run};
//! use seccomp_bpf::{data, Abi, Action, ByteOrder, SeccompData};
//!
//! let prog = [
//!     bpf::ld_abs(data::NR),
//!     bpf::jeq_k(39, 0, 1),
//!     bpf::ret_k(Action::Allow.to_ret()),
//!     bpf::ret_k(Action::Errno(1).to_ret()),
//! ];
//! let call = SeccompData::new(39, Abi::X86_64.audit_arch(), [0; 6]);
//! let out = run(&prog, ByteOrder::Little, &call).unwrap();
//! assert_eq!(out.action(), Action::Allow);
//! assert_eq!(out.executed, 3);
//! ```

use core::fmt;

use super::SockFilter;
use super::op::*;
use super::{Reason, VerifyError, verify};
use crate::abi::ByteOrder;
use crate::action::Action;
use crate::data::{SIZE, SeccompData};

/// Number of scratch slots (`BPF_MEMWORDS`).
const MEMWORDS: usize = 16;

/// How a run ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Outcome {
    /// The 32-bit value the filter returned (action and data).
    pub ret: u32,
    /// How many instructions ran, the last one included (the final `RET`,
    /// or the `DIV` by zero that ended the program).
    pub executed: usize,
}

impl Outcome {
    /// The returned value decoded as an action.
    pub const fn action(&self) -> Action {
        Action::from_ret(self.ret)
    }
}

/// One executed instruction, as [`run_traced`] reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Step {
    /// Index of the instruction.
    pub pc: usize,
    /// The instruction.
    pub insn: SockFilter,
    /// A after the instruction.
    pub a: u32,
    /// X after the instruction.
    pub x: u32,
}

/// Why [`run_unverified`] stopped on a program that the checker would have
/// refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum FaultKind {
    /// The program ran past its last instruction (no `RET`, or a jump out
    /// of the program).
    FellOff,
    /// An opcode seccomp does not accept.
    BadOpcode,
    /// A load from an offset of `seccomp_data` that is not 4-aligned or
    /// below 64.
    BadOffset,
    /// A scratch slot of 16 or more.
    BadSlot,
    /// A division by the constant 0.
    DivByZeroK,
    /// A shift by a constant of 32 or more.
    BadShift,
}

/// Where and why [`run_unverified`] stopped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fault {
    /// The instruction (for [`FaultKind::FellOff`], the first index past
    /// the program that control reached).
    pub pc: usize,
    /// What was wrong.
    pub kind: FaultKind,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            FaultKind::FellOff => "control left the program without a return",
            FaultKind::BadOpcode => "opcode not accepted by seccomp",
            FaultKind::BadOffset => "load from outside seccomp_data or unaligned",
            FaultKind::BadSlot => "scratch slot out of range (0..16)",
            FaultKind::DivByZeroK => "division by the constant 0",
            FaultKind::BadShift => "shift by a constant of 32 or more",
        };
        write!(f, "instruction {}: {}", self.pc, what)
    }
}

impl core::error::Error for Fault {}

/// The machine state between instructions.
#[derive(Clone, Copy)]
struct Machine {
    pc: usize,
    a: u32,
    x: u32,
    mem: [u32; MEMWORDS],
    executed: usize,
}

enum Next {
    Continue,
    Return(u32),
}

impl Machine {
    const fn new() -> Self {
        Machine {
            pc: 0,
            a: 0,
            x: 0,
            mem: [0; MEMWORDS],
            executed: 0,
        }
    }

    /// Target of a forward jump by `off` from the current pc.
    const fn jump(&mut self, off: u32) {
        // Saturate instead of overflowing: a target past the end faults on
        // the next fetch.
        let off = if off as u64 > usize::MAX as u64 {
            usize::MAX
        } else {
            off as usize
        };
        self.pc = self.pc.saturating_add(1).saturating_add(off);
    }

    /// Executes the instruction at `pc`.
    const fn step(
        &mut self,
        prog: &[SockFilter],
        order: ByteOrder,
        data: &SeccompData,
    ) -> Result<Next, Fault> {
        let pc = self.pc;
        let insn = if pc < prog.len() {
            prog[pc]
        } else {
            return Err(Fault {
                pc,
                kind: FaultKind::FellOff,
            });
        };
        self.executed += 1;
        let k = insn.k;
        match insn.code {
            c if c == LD | W | ABS => match data.word(k, order) {
                Some(w) => self.a = w,
                None => return fault(pc, FaultKind::BadOffset),
            },
            c if c == LD | W | LEN => self.a = SIZE,
            c if c == LDX | W | LEN => self.x = SIZE,
            c if c == LD | IMM => self.a = k,
            c if c == LDX | IMM => self.x = k,
            c if c == LD | MEM => match slot(k) {
                Some(i) => self.a = self.mem[i],
                None => return fault(pc, FaultKind::BadSlot),
            },
            c if c == LDX | MEM => match slot(k) {
                Some(i) => self.x = self.mem[i],
                None => return fault(pc, FaultKind::BadSlot),
            },
            c if c == ST => match slot(k) {
                Some(i) => self.mem[i] = self.a,
                None => return fault(pc, FaultKind::BadSlot),
            },
            c if c == STX => match slot(k) {
                Some(i) => self.mem[i] = self.x,
                None => return fault(pc, FaultKind::BadSlot),
            },
            c if c == MISC | TAX => self.x = self.a,
            c if c == MISC | TXA => self.a = self.x,
            c if c == ALU | NEG => self.a = self.a.wrapping_neg(),
            c if class(c) == ALU => {
                let from_x = source(c) == X;
                // Only the X-form bit and the operation may be set.
                if c & !(0x07 | 0x08 | 0xf0) != 0 {
                    return fault(pc, FaultKind::BadOpcode);
                }
                let b = if from_x { self.x } else { k };
                let a = self.a;
                self.a = match operation(c) {
                    ADD => a.wrapping_add(b),
                    SUB => a.wrapping_sub(b),
                    MUL => a.wrapping_mul(b),
                    DIV => {
                        if b == 0 {
                            if from_x {
                                // The kernel's translation ends the program
                                // with 0 here.
                                self.a = 0;
                                return Ok(Next::Return(0));
                            }
                            return fault(pc, FaultKind::DivByZeroK);
                        }
                        a / b
                    }
                    OR => a | b,
                    AND => a & b,
                    XOR => a ^ b,
                    LSH | RSH => {
                        if !from_x && b >= 32 {
                            return fault(pc, FaultKind::BadShift);
                        }
                        let n = b & 31;
                        if operation(c) == LSH { a << n } else { a >> n }
                    }
                    _ => return fault(pc, FaultKind::BadOpcode),
                };
            }
            c if c == JMP | JA => self.jump(k),
            c if class(c) == JMP => {
                if c & !(0x07 | 0x08 | 0xf0) != 0 {
                    return fault(pc, FaultKind::BadOpcode);
                }
                let b = if source(c) == X { self.x } else { k };
                let a = self.a;
                let taken = match operation(c) {
                    JEQ => a == b,
                    JGT => a > b,
                    JGE => a >= b,
                    JSET => a & b != 0,
                    _ => return fault(pc, FaultKind::BadOpcode),
                };
                self.jump(if taken { insn.jt } else { insn.jf } as u32);
                return Ok(Next::Continue);
            }
            c if c == RET | K => return Ok(Next::Return(k)),
            c if c == RET | A => return Ok(Next::Return(self.a)),
            _ => return fault(pc, FaultKind::BadOpcode),
        }
        if insn.code != JMP | JA {
            self.pc += 1;
        }
        Ok(Next::Continue)
    }
}

const fn fault(pc: usize, kind: FaultKind) -> Result<Next, Fault> {
    Err(Fault { pc, kind })
}

const fn slot(k: u32) -> Option<usize> {
    if (k as usize) < MEMWORDS && k < MEMWORDS as u32 {
        Some(k as usize)
    } else {
        None
    }
}

/// Runs a filter over one call, after checking it as the kernel would.
///
/// `order` is the byte order `seccomp_data` has on the kernel the filter
/// runs on; it decides which half of a 64-bit field a load reads.
///
/// # Errors
///
/// The [`VerifyError`] of [`verify()`](super::verify()) when the kernel
/// would refuse the program; nothing is run then.
pub const fn run(
    prog: &[SockFilter],
    order: ByteOrder,
    data: &SeccompData,
) -> Result<Outcome, VerifyError> {
    if let Err(e) = verify(prog) {
        return Err(e);
    }
    match run_unverified(prog, order, data) {
        Ok(out) => Ok(out),
        Err(fault) => Err(fault.to_verify_error(prog)),
    }
}

/// Like [`run`], and calls `trace` after every executed instruction with
/// the registers as that instruction left them.
///
/// # Errors
///
/// As [`run`]; `trace` is not called when the program is refused.
pub fn run_traced(
    prog: &[SockFilter],
    order: ByteOrder,
    data: &SeccompData,
    trace: &mut dyn FnMut(&Step),
) -> Result<Outcome, VerifyError> {
    verify(prog)?;
    let mut m = Machine::new();
    loop {
        let pc = m.pc;
        let next = m
            .step(prog, order, data)
            .map_err(|f| f.to_verify_error(prog))?;
        if let Some(&insn) = prog.get(pc) {
            trace(&Step {
                pc,
                insn,
                a: m.a,
                x: m.x,
            });
        }
        if let Next::Return(ret) = next {
            return Ok(Outcome {
                ret,
                executed: m.executed,
            });
        }
    }
}

/// Runs a program without checking it first, stopping with a [`Fault`] at
/// the first instruction the checker would have refused.
///
/// It never panics and always ends: every jump goes forward, so at most
/// `prog.len()` instructions run. On a program that [`verify()`](super::verify())
/// accepts it returns what [`run`] returns. Scratch slots read before they
/// are written read 0 here (the checker refuses such programs).
///
/// # Errors
///
/// The [`Fault`] that stopped the run.
pub const fn run_unverified(
    prog: &[SockFilter],
    order: ByteOrder,
    data: &SeccompData,
) -> Result<Outcome, Fault> {
    let mut m = Machine::new();
    loop {
        match m.step(prog, order, data) {
            Ok(Next::Continue) => {}
            Ok(Next::Return(ret)) => {
                return Ok(Outcome {
                    ret,
                    executed: m.executed,
                });
            }
            Err(f) => return Err(f),
        }
    }
}

impl Fault {
    /// The checker's error for the same problem in `prog` (the program the
    /// fault came from). [`run`] only needs it if [`verify()`](super::verify())
    /// passed a program the interpreter cannot run, which the tests rule out.
    pub const fn to_verify_error(self, prog: &[SockFilter]) -> VerifyError {
        let (code, k) = if self.pc < prog.len() {
            (prog[self.pc].code, prog[self.pc].k)
        } else {
            (0, 0)
        };
        let reason = match self.kind {
            FaultKind::FellOff => {
                if self.pc == prog.len() {
                    Reason::LastNotReturn
                } else {
                    Reason::JumpOutOfRange
                }
            }
            FaultKind::BadOpcode => Reason::OpcodeNotForSeccomp(code),
            FaultKind::BadOffset => {
                if k % 4 != 0 {
                    Reason::LoadMisaligned(k)
                } else {
                    Reason::LoadOutOfRange(k)
                }
            }
            FaultKind::BadSlot => Reason::ScratchSlotOutOfRange(k),
            FaultKind::DivByZeroK => Reason::DivisionByZero,
            FaultKind::BadShift => Reason::ShiftTooLarge(k),
        };
        // A fall off the end is charged to the last instruction.
        let pc = if self.pc >= prog.len() {
            prog.len().saturating_sub(1)
        } else {
            self.pc
        };
        VerifyError { pc, reason }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Abi;
    use crate::bpf::{self, op};
    use crate::data;

    const X86: u32 = 0xC000_003E;

    fn call(nr: i32, args: [u64; 6]) -> SeccompData {
        SeccompData::new(nr, X86, args)
    }

    /// Runs `body` followed by `RET A` and returns A.
    fn a_after(body: &[SockFilter], d: &SeccompData) -> u32 {
        let mut prog = std::vec::Vec::from(body);
        prog.push(bpf::ret_a());
        run(&prog, ByteOrder::Little, d).unwrap().ret
    }

    #[test]
    fn alu_is_32_bit_and_wraps() {
        let d = call(0, [0; 6]);
        let cases: &[(u16, u32, u32, u32)] = &[
            (op::ADD, 0xffff_fff0, 0x20, 0x10),
            (op::SUB, 1, 2, 0xffff_ffff),
            (op::MUL, 0x1_0001, 0x1_0001, 0x0002_0001),
            (op::DIV, 100, 7, 14),
            (op::DIV, 0xffff_ffff, 2, 0x7fff_ffff),
            (op::OR, 0xf0, 0x0f, 0xff),
            (op::AND, 0xf0f0, 0x0ff0, 0x00f0),
            (op::XOR, 0xff, 0x0f, 0xf0),
            (op::LSH, 1, 31, 0x8000_0000),
            (op::RSH, 0x8000_0000, 31, 1),
        ];
        for &(operation, a, b, want) in cases {
            let by_k = [bpf::ld_imm(a), bpf::alu_k(operation, b)];
            let by_x = [bpf::ld_imm(a), bpf::ldx_imm(b), bpf::alu_x(operation)];
            assert_eq!(a_after(&by_k, &d), want, "op {operation:#x} K");
            assert_eq!(a_after(&by_x, &d), want, "op {operation:#x} X");
        }
        assert_eq!(
            a_after(&[bpf::ld_imm(5), bpf::neg()], &d),
            5u32.wrapping_neg()
        );
    }

    #[test]
    fn shift_by_x_uses_low_five_bits() {
        let d = call(0, [0; 6]);
        for (x, n) in [
            (32u32, 0u32),
            (33, 1),
            (63, 31),
            (0xffff_ffff, 31),
            (0x100, 0),
        ] {
            let lsh = [
                bpf::ld_imm(0x8000_0001),
                bpf::ldx_imm(x),
                bpf::alu_x(op::LSH),
            ];
            let rsh = [
                bpf::ld_imm(0x8000_0001),
                bpf::ldx_imm(x),
                bpf::alu_x(op::RSH),
            ];
            assert_eq!(a_after(&lsh, &d), 0x8000_0001u32 << n, "lsh by {x}");
            assert_eq!(a_after(&rsh, &d), 0x8000_0001u32 >> n, "rsh by {x}");
        }
    }

    #[test]
    fn div_by_x_zero_returns_kill_thread() {
        let prog = [
            bpf::ld_imm(10),
            bpf::ldx_imm(0),
            bpf::alu_x(op::DIV),
            bpf::ret_k(Action::Allow.to_ret()),
        ];
        let out = run(&prog, ByteOrder::Little, &call(0, [0; 6])).unwrap();
        assert_eq!(
            out,
            Outcome {
                ret: 0,
                executed: 3
            }
        );
        assert_eq!(out.action(), Action::KillThread);
    }

    #[test]
    fn loads_follow_byte_order() {
        let d = SeccompData {
            nr: 257,
            arch: X86,
            instruction_pointer: 0x1111_2222_3333_4444,
            args: [0, 0xaaaa_bbbb_cccc_dddd, 0, 0, 0, 0],
        };
        for order in [ByteOrder::Little, ByteOrder::Big] {
            let one = |k| a_after_order(&[bpf::ld_abs(k)], &d, order);
            assert_eq!(one(data::NR), 257);
            assert_eq!(one(data::ARCH), X86);
            assert_eq!(one(data::arg_lo(1, order)), 0xcccc_dddd);
            assert_eq!(one(data::arg_hi(1, order)), 0xaaaa_bbbb);
            assert_eq!(one(data::ip_hi(order)), 0x1111_2222);
        }
        // The same offset reads the other half on the other byte order.
        assert_eq!(
            a_after_order(&[bpf::ld_abs(24)], &d, ByteOrder::Little),
            0xcccc_dddd
        );
        assert_eq!(
            a_after_order(&[bpf::ld_abs(24)], &d, ByteOrder::Big),
            0xaaaa_bbbb
        );
        assert_eq!(a_after(&[bpf::ld_len()], &d), 64);
        assert_eq!(a_after(&[bpf::ldx_len(), bpf::txa()], &d), 64);
    }

    fn a_after_order(body: &[SockFilter], d: &SeccompData, order: ByteOrder) -> u32 {
        let mut prog = std::vec::Vec::from(body);
        prog.push(bpf::ret_a());
        run(&prog, order, d).unwrap().ret
    }

    #[test]
    fn scratch_and_moves() {
        let d = call(7, [0; 6]);
        let body = [
            bpf::ld_abs(data::NR),
            bpf::st(15),
            bpf::ldx_imm(100),
            bpf::stx(0),
            bpf::ld_mem(0),
            bpf::tax(),
            bpf::ld_mem(15),
            bpf::alu_x(op::ADD),
        ];
        assert_eq!(a_after(&body, &d), 107);
    }

    #[test]
    fn jumps_are_relative_to_the_next_instruction() {
        // if nr == 2 (open) -> ERRNO(2); nr >= 400 -> ERRNO(3); bit 0x1 -> LOG; else ALLOW.
        let prog = [
            bpf::ld_abs(data::NR),
            bpf::jeq_k(2, 5, 0),
            bpf::jge_k(400, 5, 0),
            bpf::jset_k(1, 1, 0),
            bpf::ja(1),
            bpf::ret_k(Action::Log.to_ret()),
            bpf::ret_k(Action::Allow.to_ret()),
            bpf::ret_k(Action::Errno(2).to_ret()),
            bpf::ret_k(Action::Errno(3).to_ret()),
        ];
        let go = |nr| run(&prog, ByteOrder::Little, &call(nr, [0; 6])).unwrap();
        assert_eq!(go(2).action(), Action::Errno(2));
        assert_eq!(go(2).executed, 3);
        assert_eq!(go(401).action(), Action::Errno(3));
        assert_eq!(go(5).action(), Action::Log);
        assert_eq!(go(4).action(), Action::Allow);
        assert_eq!(go(4).executed, 6);
    }

    #[test]
    fn x_comparisons() {
        let prog = [
            bpf::ld_abs(data::arg_lo(0, ByteOrder::Little)),
            bpf::ldx_imm(10),
            bpf::jgt_x(0, 1),
            bpf::ret_k(Action::Errno(1).to_ret()),
            bpf::jeq_x(0, 1),
            bpf::ret_k(Action::Errno(2).to_ret()),
            bpf::jset_x(0, 1),
            bpf::ret_k(Action::Errno(3).to_ret()),
            bpf::jge_x(1, 0),
            bpf::ret_k(Action::Errno(4).to_ret()),
            bpf::ret_k(Action::Allow.to_ret()),
        ];
        let go = |a0| {
            run(&prog, ByteOrder::Little, &call(0, [a0, 0, 0, 0, 0, 0]))
                .unwrap()
                .action()
        };
        assert_eq!(go(11), Action::Errno(1));
        assert_eq!(go(10), Action::Errno(2));
        assert_eq!(go(2), Action::Errno(3)); // 2 & 10 != 0
        assert_eq!(go(5), Action::Errno(4)); // 5 & 10 == 0, 5 < 10
    }

    #[test]
    fn refused_programs_are_errors_not_panics() {
        let d = call(0, [0; 6]);
        assert!(run(&[], ByteOrder::Little, &d).is_err());
        assert!(run(&[bpf::ld_imm(1)], ByteOrder::Little, &d).is_err());
        assert!(run(&[bpf::ja(5), bpf::ret_a()], ByteOrder::Little, &d).is_err());
        let bad_load = [bpf::ld_abs(2), bpf::ret_a()];
        assert!(run(&bad_load, ByteOrder::Little, &d).is_err());
        assert_eq!(
            run_unverified(&bad_load, ByteOrder::Little, &d),
            Err(Fault {
                pc: 0,
                kind: FaultKind::BadOffset
            })
        );
        let off_end = [bpf::ld_imm(0), bpf::jeq_k(0, 200, 0), bpf::ret_a()];
        assert_eq!(
            run_unverified(&off_end, ByteOrder::Little, &d),
            Err(Fault {
                pc: 202,
                kind: FaultKind::FellOff
            })
        );
        let huge_ja = [bpf::ja(u32::MAX), bpf::ret_a()];
        assert_eq!(
            run_unverified(&huge_ja, ByteOrder::Little, &d).map_err(|f| f.kind),
            Err(FaultKind::FellOff)
        );
        let mod_op = [SockFilter::stmt(op::ALU | op::MOD | op::K, 3), bpf::ret_a()];
        assert!(run(&mod_op, ByteOrder::Little, &d).is_err());
    }

    #[test]
    fn traced_steps_match_the_run() {
        let prog = [
            bpf::ld_abs(data::NR),
            bpf::tax(),
            bpf::jeq_k(39, 0, 1),
            bpf::ret_k(Action::Allow.to_ret()),
            bpf::ret_a(),
        ];
        let d = call(40, [0; 6]);
        let mut seen = std::vec::Vec::new();
        let out = run_traced(&prog, ByteOrder::Little, &d, &mut |s| seen.push(*s)).unwrap();
        assert_eq!(out, run(&prog, ByteOrder::Little, &d).unwrap());
        let pcs: std::vec::Vec<usize> = seen.iter().map(|s| s.pc).collect();
        assert_eq!(pcs, [0, 1, 2, 4]);
        assert_eq!(
            seen[1],
            Step {
                pc: 1,
                insn: prog[1],
                a: 40,
                x: 40
            }
        );
        assert_eq!(out.executed, seen.len());
        assert_eq!(out.ret, 40);
    }

    #[test]
    fn runs_in_const_context() {
        const PROG: [SockFilter; 4] = [
            bpf::ld_abs(data::ARCH),
            bpf::jeq_k(0xC000_003E, 0, 1),
            bpf::ret_k(0x7fff_0000),
            bpf::ret_k(0),
        ];
        const OUT: Outcome = match run(
            &PROG,
            ByteOrder::Little,
            &SeccompData::new(0, Abi::X86_64.audit_arch(), [0; 6]),
        ) {
            Ok(o) => o,
            Err(_) => panic!("refused"),
        };
        assert_eq!(OUT.action(), Action::Allow);
        assert_eq!(OUT.executed, 3);
    }

    proptest::proptest! {
        #[test]
        fn garbage_never_panics(
            insns in proptest::collection::vec(
                (proptest::prelude::any::<u16>(), proptest::prelude::any::<u8>(),
                 proptest::prelude::any::<u8>(), proptest::prelude::any::<u32>()),
                0..64),
            args in proptest::prelude::any::<[u64; 6]>(),
        ) {
            // Bias the opcodes to accepted ones so that runs get somewhere.
            let mut prog: std::vec::Vec<SockFilter> = insns
                .iter()
                .map(|&(c, jt, jf, k)| {
                    let code = if c & 1 == 0 {
                        op::SECCOMP_OPCODES[(c as usize >> 1) % op::SECCOMP_OPCODES.len()]
                    } else {
                        c >> 1
                    };
                    SockFilter { code, jt: jt % 8, jf: jf % 8, k: if c & 2 == 0 { k % 80 } else { k } }
                })
                .collect();
            // End most programs with a return, so that some pass the checker.
            if args[1] % 4 != 0 {
                prog.push(bpf::ret_a());
            }
            let d = call(args[0] as i32, args);
            for order in [ByteOrder::Little, ByteOrder::Big] {
                let free = run_unverified(&prog, order, &d);
                if let Ok(out) = free {
                    proptest::prop_assert!(out.executed <= prog.len());
                }
                match run(&prog, order, &d) {
                    // A program the checker passes runs without a fault.
                    Ok(out) => proptest::prop_assert_eq!(Ok(out), free),
                    Err(e) => proptest::prop_assert_eq!(Err(e), verify(&prog).map(|_| ())),
                }
            }
        }
    }
}
