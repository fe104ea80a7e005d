//! A SIGSYS reporter for filters that use [`Action::Trap`]: one line on
//! stderr naming the blocked call, then death by SIGSYS or, if asked, the
//! call fails with an errno and the program goes on.
//!
//! A TRAP action makes the kernel skip the call and send SIGSYS with
//! `si_code` `SYS_SECCOMP`, the call's number and audit arch, the address
//! after the system-call instruction, and the action's 16-bit data in
//! `si_errno`. [`install_reporter`] installs a handler (raw
//! `rt_sigaction`, `SA_SIGINFO` and a restorer; no libc) that writes
//!
//! ```text
//! seccomp: blocked openat (257) on x86_64 at 0x7f3a1c2d4e5f
//! ```
//!
//! with a raw `write(2, ...)` from a stack buffer (names from
//! [`Syscall::from_nr`]; `syscall 999` for a number without one), and then,
//! as [`OnTrap`] says:
//!
//! - [`OnTrap::Die`]: SIGSYS gets its default action back and is raised
//!   again, so the process ends as it would have without the reporter
//!   (killed by SIGSYS, with a core dump where enabled);
//! - [`OnTrap::Fail`]: the call returns `-errno` (the handler writes the
//!   return register of the saved context, which the kernel restores), and
//!   the line ends with `; failing it with errno N`;
//! - [`OnTrap::FailWithData`]: the same with the TRAP action's data as the
//!   errno (`Trap(38)` makes the call fail with ENOSYS; data 0 gives EPERM).
//!
//! The handler needs `write`, and in [`OnTrap::Die`] `rt_sigaction`,
//! `getpid` and `kill`, to pass the filter; if they do not, the line is
//! lost or the process dies by the nested SIGSYS anyway.
//!
//! [`install_reporter_without_names`] installs the same reporter with a
//! line that gives the number only (`seccomp: blocked syscall 257 on
//! x86_64 at 0x7f3a1c2d4e5f`): it leaves out the name tables of every ABI
//! and `core::fmt`, about 85 KiB of `examples/init` on x86_64 (which stays
//! at 14 KiB stripped with it, 15 KiB on aarch64), for programs that must
//! stay small.
//!
//! Supported on x86_64 (not x32), x86 and aarch64 (see [`crate::sys::signal`] for
//! why the others are not); elsewhere [`install_reporter`] answers
//! [`TrapError::Unsupported`].
//!
//! ```no_run
//! use seccomp_bpf::trap::{install_reporter, OnTrap};
//!
//! // Before installing a filter whose refusals are TRAP:
//! install_reporter(OnTrap::Die).expect("SIGSYS reporter");
//! ```

use core::fmt;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::abi::Abi;
#[cfg(doc)]
use crate::action::Action;
use crate::sys::{self, Errno, signal};
use crate::syscall::Syscall;

/// `SYS_SECCOMP`, the `si_code` of a seccomp trap.
pub const SYS_SECCOMP: i32 = 1;

/// What happens after the report.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum OnTrap {
    /// The process dies by SIGSYS, as without the reporter.
    Die,
    /// The call fails with this errno (1..=4095) and the program goes on.
    Fail(u16),
    /// The call fails with the TRAP action's data as errno (EPERM for 0).
    FailWithData,
}

/// Why the reporter could not be installed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum TrapError {
    /// Not available on this architecture.
    Unsupported,
    /// [`OnTrap::Fail`] with 0 or a number above 4095.
    BadErrno(u16),
    /// `rt_sigaction` failed.
    Sigaction(Errno),
}

impl fmt::Display for TrapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrapError::Unsupported => {
                f.write_str("the SIGSYS reporter is not available on this architecture")
            }
            TrapError::BadErrno(e) => write!(f, "errno {e} is not in 1..=4095"),
            TrapError::Sigaction(e) => write!(f, "rt_sigaction(SIGSYS) failed: {e}"),
        }
    }
}

impl core::error::Error for TrapError {}

/// 0: die; 1..=4095: fail with it; `WITH_DATA`: fail with the data.
static MODE: AtomicU32 = AtomicU32::new(0);
const WITH_DATA: u32 = 0x1_0000;

/// Installs the SIGSYS reporter for the whole process (signal handlers are
/// per process), replacing any SIGSYS handler. Call it again to change
/// `on_trap`.
///
/// # Errors
///
/// [`TrapError::Unsupported`] off x86_64, x86 and aarch64;
/// [`TrapError::BadErrno`]; [`TrapError::Sigaction`] with the kernel's
/// errno.
pub fn install_reporter(on_trap: OnTrap) -> Result<(), TrapError> {
    set_mode(on_trap)?;
    signal::install_sigsys_handler().map_err(TrapError::Sigaction)
}

/// [`install_reporter`] with a line that gives the call's number and not
/// its name, `seccomp: blocked syscall 257 on x86_64 at 0x7f3a1c2d4e5f`
/// (the form [`Sigsys::line`] has for a number without a name). A program
/// that uses only this carries neither the syscall name tables nor
/// `core::fmt`.
///
/// # Errors
///
/// As [`install_reporter`].
pub fn install_reporter_without_names(on_trap: OnTrap) -> Result<(), TrapError> {
    set_mode(on_trap)?;
    signal::install_sigsys_handler_without_names().map_err(TrapError::Sigaction)
}

fn set_mode(on_trap: OnTrap) -> Result<(), TrapError> {
    if !signal::SUPPORTED {
        return Err(TrapError::Unsupported);
    }
    let mode = match on_trap {
        OnTrap::Die => 0,
        OnTrap::Fail(e) if (1..=crate::action::MAX_ERRNO).contains(&e) => u32::from(e),
        OnTrap::Fail(e) => return Err(TrapError::BadErrno(e)),
        OnTrap::FailWithData => WITH_DATA,
    };
    MODE.store(mode, Ordering::SeqCst);
    Ok(())
}

/// A trapped call, as the kernel describes it in the SIGSYS `siginfo_t`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Sigsys {
    /// The number, as `seccomp_data.nr` had it.
    pub nr: u32,
    /// The audit arch of the call.
    pub arch: u32,
    /// The address after the system-call instruction.
    pub call_addr: usize,
    /// The TRAP action's data.
    pub data: u16,
}

impl Sigsys {
    /// The ABI of the call, if the crate knows its arch.
    pub const fn abi(&self) -> Option<Abi> {
        Abi::from_audit_arch(self.arch, self.nr)
    }

    /// The call, if its ABI's table has the number.
    pub const fn syscall(&self) -> Option<Syscall> {
        match self.abi() {
            Some(abi) => Syscall::from_nr(abi, self.nr),
            None => None,
        }
    }

    /// The report line, without its newline:
    /// `seccomp: blocked openat (257) on x86_64 at 0x7f3a1c2d4e5f`.
    pub const fn line(&self) -> Line {
        Line {
            call: *self,
            errno: None,
        }
    }
}

/// The report line of a [`Sigsys`] ([`Sigsys::line`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Line {
    call: Sigsys,
    errno: Option<i32>,
}

impl Line {
    /// The line with `; failing it with errno N` appended.
    pub const fn failing_with(self, errno: i32) -> Line {
        Line {
            errno: Some(errno),
            ..self
        }
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.call;
        f.write_str("seccomp: blocked ")?;
        match c.syscall() {
            Some(s) => write!(f, "{} ({})", s.name(), c.nr)?,
            None => write!(f, "syscall {}", c.nr)?,
        }
        match c.abi() {
            Some(abi) => write!(f, " on {abi}")?,
            None => write!(f, " on arch {:#010x}", c.arch)?,
        }
        write!(f, " at {:#x}", c.call_addr)?;
        if let Some(e) = self.errno {
            write!(f, "; failing it with errno {e}")?;
        }
        Ok(())
    }
}

/// A line buffer on the stack; what does not fit is cut.
struct Buf {
    bytes: [u8; 192],
    len: usize,
}

impl Buf {
    const fn new() -> Buf {
        Buf {
            bytes: [0; 192],
            len: 0,
        }
    }

    #[inline(never)]
    fn push(&mut self, s: &[u8]) {
        for &b in s {
            if let Some(slot) = self.bytes.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    /// `n` in decimal, or in hex after `0x` with at least `min` digits.
    /// One routine for both keeps the handler small.
    #[inline(never)]
    fn num(&mut self, n: u64, hex: bool, min: usize) {
        let radix = if hex { 16 } else { 10 };
        if hex {
            self.push(b"0x");
        }
        let mut digits = [0u8; 20];
        let mut n = n;
        let mut len = 0;
        while len < digits.len() && (n != 0 || len < min.max(1)) {
            if let (Some(slot), Some(&d)) = (
                digits.get_mut(len),
                b"0123456789abcdef".get((n % radix) as usize),
            ) {
                *slot = d;
            }
            n /= radix;
            len += 1;
        }
        digits.get_mut(..len).unwrap_or(&mut []).reverse();
        self.push(digits.get(..len).unwrap_or(&[]));
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

/// The line of [`install_reporter_without_names`], without `core::fmt`:
/// [`Line`]'s format for a number without a name.
fn write_without_names(buf: &mut Buf, call: &Sigsys, errno: Option<i32>) {
    buf.push(b"seccomp: blocked syscall ");
    buf.num(u64::from(call.nr), false, 1);
    match call.abi() {
        Some(abi) => {
            buf.push(b" on ");
            buf.push(abi.name().as_bytes());
        }
        None => {
            buf.push(b" on arch ");
            buf.num(u64::from(call.arch), true, 8);
        }
    }
    buf.push(b" at ");
    buf.num(call.call_addr as u64, true, 1);
    if let Some(e) = errno {
        buf.push(b"; failing it with errno ");
        if e < 0 {
            buf.push(b"-");
        }
        buf.num(u64::from(e.unsigned_abs()), false, 1);
    }
}

impl fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// Called by the handler: reports the call; returns the errno the call is
/// to fail with, or `None` (the process is then about to die by SIGSYS).
/// `NAMES`: the line names the call ([`install_reporter`]) or gives its
/// number only ([`install_reporter_without_names`]).
pub(crate) fn on_sigsys<const NAMES: bool>(raw: &signal::RawSigsys) -> Option<i32> {
    if raw.code != SYS_SECCOMP {
        die();
        return None;
    }
    let call = Sigsys {
        nr: raw.syscall as u32,
        arch: raw.arch,
        call_addr: raw.call_addr,
        data: raw.errno as u16,
    };
    let errno = match MODE.load(Ordering::SeqCst) {
        0 => None,
        WITH_DATA => Some(match call.data {
            0 => Errno::EPERM.raw(),
            d => i32::from(d.min(crate::action::MAX_ERRNO)),
        }),
        e => Some(e as i32),
    };
    let mut buf = Buf::new();
    if NAMES {
        let mut line = call.line();
        if let Some(e) = errno {
            line = line.failing_with(e);
        }
        let _ = fmt::Write::write_fmt(&mut buf, format_args!("{line}"));
    } else {
        write_without_names(&mut buf, &call, errno);
    }
    buf.push(b"\n");
    let _ = sys::write(2, buf.as_bytes());
    if errno.is_none() {
        die();
    }
    errno
}

/// Restores SIGSYS's default action and raises it; it is delivered when
/// the handler returns. If that cannot be done, exits with 128 + SIGSYS.
fn die() {
    if signal::reset_sigsys().is_ok() && sys::kill(sys::getpid(), signal::SIGSYS).is_ok() {
        return;
    }
    sys::exit_group(128 + signal::SIGSYS);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn lines() {
        let c = Sigsys {
            nr: 257,
            arch: Abi::X86_64.audit_arch(),
            call_addr: 0x7f00_1234,
            data: 0,
        };
        assert_eq!(
            c.line().to_string(),
            "seccomp: blocked openat (257) on x86_64 at 0x7f001234"
        );
        let c = Sigsys {
            nr: 0x4000_0000 | 2,
            ..c
        };
        assert_eq!(
            c.line().failing_with(1).to_string(),
            "seccomp: blocked open (1073741826) on x32 at 0x7f001234; failing it with errno 1"
        );
        let c = Sigsys {
            nr: 99_999,
            arch: 0x1234,
            ..c
        };
        assert_eq!(
            c.line().to_string(),
            "seccomp: blocked syscall 99999 on arch 0x00001234 at 0x7f001234"
        );
    }

    fn without_names(call: &Sigsys, errno: Option<i32>) -> std::string::String {
        let mut buf = Buf::new();
        write_without_names(&mut buf, call, errno);
        std::string::String::from_utf8(buf.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn lines_without_names() {
        let c = Sigsys {
            nr: 257,
            arch: Abi::X86_64.audit_arch(),
            call_addr: 0x7f00_1234,
            data: 0,
        };
        assert_eq!(
            without_names(&c, None),
            "seccomp: blocked syscall 257 on x86_64 at 0x7f001234"
        );
        assert_eq!(
            without_names(&c, Some(4095)),
            "seccomp: blocked syscall 257 on x86_64 at 0x7f001234; failing it with errno 4095"
        );
        // For a number without a name both reporters write the same line.
        for (nr, arch, addr) in [
            (99_999, 0x1234, 0),
            (5000, Abi::Aarch64.audit_arch(), usize::MAX),
            (u32::MAX, 0, 0x10),
            (0x4000_0000 | 99_999, Abi::X86_64.audit_arch(), 1),
        ] {
            let c = Sigsys {
                nr,
                arch,
                call_addr: addr,
                data: 0,
            };
            assert_eq!(c.syscall(), None, "{c:?} has a name");
            for errno in [None, Some(1), Some(38)] {
                let mut line = c.line();
                if let Some(e) = errno {
                    line = line.failing_with(e);
                }
                assert_eq!(without_names(&c, errno), line.to_string());
            }
        }
    }

    #[test]
    fn bad_errno_is_refused_before_anything_is_installed() {
        if signal::SUPPORTED {
            assert_eq!(
                install_reporter(OnTrap::Fail(0)),
                Err(TrapError::BadErrno(0))
            );
            assert_eq!(
                install_reporter(OnTrap::Fail(4096)),
                Err(TrapError::BadErrno(4096))
            );
        }
    }
}
