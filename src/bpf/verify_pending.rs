//! PENDING(verify): a stand-in for `crate::bpf::verify`, which is being
//! written on another branch. It checks only the length, the opcodes and
//! the final `RET`; the interpreter's own faults cover the rest. This file
//! goes away when the real verifier is merged.

use core::fmt;

use super::SockFilter;
use super::interp::{Fault, FaultKind};
use super::op;

/// Why a program was refused (stand-in).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Reason {
    /// No instructions, or more than 4096.
    Length,
    /// The last instruction is not a `RET`.
    NoFinalReturn,
    /// The interpreter stopped on this fault.
    Fault(FaultKind),
}

/// A refused program (stand-in): where and why.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VerifyError {
    /// The offending instruction.
    pub pc: usize,
    /// Why.
    pub reason: Reason,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "instruction {}: {:?}", self.pc, self.reason)
    }
}

impl core::error::Error for VerifyError {}

/// Checks length, opcodes and the final return (stand-in).
///
/// # Errors
///
/// The first problem found.
pub const fn verify(prog: &[SockFilter]) -> Result<(), VerifyError> {
    if prog.is_empty() || prog.len() > 4096 {
        return Err(VerifyError {
            pc: 0,
            reason: Reason::Length,
        });
    }
    let mut i = 0;
    while i < prog.len() {
        if !op::seccomp_accepts(prog[i].code) {
            return Err(VerifyError {
                pc: i,
                reason: Reason::Fault(FaultKind::BadOpcode),
            });
        }
        i += 1;
    }
    let last = prog[prog.len() - 1].code;
    if last != op::RET | op::K && last != op::RET | op::A {
        return Err(VerifyError {
            pc: prog.len() - 1,
            reason: Reason::NoFinalReturn,
        });
    }
    Ok(())
}

pub(crate) const fn from_fault(f: Fault) -> VerifyError {
    VerifyError {
        pc: f.pc,
        reason: Reason::Fault(f.kind),
    }
}
