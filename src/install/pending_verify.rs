//! TODO(verify): a stand-in for `crate::bpf::verify` until the `verify`
//! branch lands; it has the announced shape (`Verified { len, charged }`,
//! `VerifyError { pc, reason }`, `CHAIN_BUDGET`) and makes the checks the
//! install path relies on. Delete this file when merging `verify`.

use core::fmt;

use crate::bpf::SockFilter;
use crate::bpf::op::*;

/// The kernel's budget for a thread's filter chain: the sum over its
/// filters of (internal length + 4) must not exceed it.
pub const CHAIN_BUDGET: u32 = 32768;

/// The most instructions one program may have.
const MAX_LEN: usize = 4096;

/// A program that passed the checks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Verified {
    /// Number of instructions.
    pub len: usize,
    /// The kernel's internal (translated) length of the program.
    pub charged: u32,
}

/// Why a program fails the kernel's checks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VerifyError {
    /// The instruction at fault (the length for length errors).
    pub pc: usize,
    /// What is wrong.
    pub reason: &'static str,
}

impl VerifyError {
    pub(crate) const fn too_long(len: usize) -> VerifyError {
        VerifyError {
            pc: len,
            reason: "more than 4096 instructions",
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "instruction {}: {}", self.pc, self.reason)
    }
}

impl core::error::Error for VerifyError {}

const fn err(pc: usize, reason: &'static str) -> Result<Verified, VerifyError> {
    Err(VerifyError { pc, reason })
}

/// The checks the install path needs: length, opcodes, load offsets,
/// jump targets, a final RET; and the charged length.
pub const fn verify(prog: &[SockFilter]) -> Result<Verified, VerifyError> {
    let len = prog.len();
    if len == 0 {
        return err(0, "empty program");
    }
    if len > MAX_LEN {
        return Err(VerifyError::too_long(len));
    }
    let mut charged: u32 = 3;
    let mut pc = 0;
    while pc < len {
        let i = prog[pc];
        if !seccomp_accepts(i.code) {
            return err(pc, "opcode not accepted by seccomp");
        }
        match class(i.code) {
            LD if mode(i.code) == ABS => {
                if i.k >= 64 || i.k % 4 != 0 {
                    return err(pc, "load outside seccomp_data or unaligned");
                }
                charged += 1;
            }
            LD | LDX if mode(i.code) == MEM => {
                if i.k >= 16 {
                    return err(pc, "scratch slot out of range");
                }
                charged += 1;
            }
            ST | STX => {
                if i.k >= 16 {
                    return err(pc, "scratch slot out of range");
                }
                charged += 1;
            }
            // BPF_RVAL: K (0x00) or A (0x10).
            RET => charged += if i.code & 0x18 == K { 2 } else { 1 },
            ALU => {
                let op = operation(i.code);
                if source(i.code) == K {
                    if op == DIV && i.k == 0 {
                        return err(pc, "division by constant zero");
                    }
                    if (op == LSH || op == RSH) && i.k >= 32 {
                        return err(pc, "shift by 32 or more");
                    }
                    charged += 1;
                } else {
                    charged += if op == DIV { 5 } else { 1 };
                }
            }
            JMP => {
                let rest = len - pc - 1;
                if operation(i.code) == JA {
                    if i.k as usize >= rest {
                        return err(pc, "jump out of the program");
                    }
                    charged += 1;
                } else {
                    if i.jt as usize >= rest || i.jf as usize >= rest {
                        return err(pc, "jump out of the program");
                    }
                    let op = operation(i.code);
                    let one = i.jf == 0 || (i.jt == 0 && (op == JEQ || op == JGT || op == JGE));
                    charged += if one { 1 } else { 2 };
                    if source(i.code) == K && (i.k as i32) < 0 {
                        charged += 1;
                    }
                }
            }
            _ => charged += 1,
        }
        pc += 1;
    }
    if class(prog[len - 1].code) != RET {
        return err(len - 1, "the last instruction is not a RET");
    }
    Ok(Verified { len, charged })
}
