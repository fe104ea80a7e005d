//! `Errno`: a failed system call's error number, in the target's numbering.

use core::fmt;

/// The error number a system call returned (`-ret` for a raw return value
/// in `-4095..=-1`).
///
/// The named constants carry the target architecture's numbers: most
/// architectures use the asm-generic table, while mips, parisc, alpha and
/// sparc number some errors differently (`ENOSYS` is 38 on most, 89 on
/// mips, 251 on parisc, 78 on alpha, 90 on sparc).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Errno(i32);

// One row per error: name, asm-generic, mips, parisc, alpha, sparc, text.
macro_rules! errnos {
    ($($name:ident $generic:literal $mips:literal $parisc:literal $alpha:literal $sparc:literal $text:literal;)*) => {
        impl Errno {
            $(
                #[doc = concat!("`", stringify!($name), "`: ", $text, ".")]
                pub const $name: Errno = Errno(pick($generic, $mips, $parisc, $alpha, $sparc));
            )*

            /// The symbolic name (`"EPERM"`), if the crate knows the number.
            pub const fn name(self) -> Option<&'static str> {
                $(if self.0 == Self::$name.0 { return Some(stringify!($name)); })*
                None
            }

            /// A short description (`"operation not permitted"`), if known.
            pub const fn description(self) -> Option<&'static str> {
                $(if self.0 == Self::$name.0 { return Some($text); })*
                None
            }
        }
    };
}

/// Picks the number of the target's errno family. Rust has no parisc or
/// alpha target today; their columns are kept so the table states every
/// family's numbers; such a target would add its branch here.
const fn pick(generic: i32, mips: i32, _parisc: i32, _alpha: i32, sparc: i32) -> i32 {
    if cfg!(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "mips32r6",
        target_arch = "mips64r6"
    )) {
        mips
    } else if cfg!(any(target_arch = "sparc", target_arch = "sparc64")) {
        sparc
    } else {
        generic
    }
}

// The first 34 numbers are shared by every architecture; the rest differ.
// EOPNOTSUPP and ENOTSUP are the same number on Linux.
errnos! {
    EPERM        1   1   1   1   1 "operation not permitted";
    ENOENT       2   2   2   2   2 "no such file or directory";
    ESRCH        3   3   3   3   3 "no such process";
    EINTR        4   4   4   4   4 "interrupted system call";
    EIO          5   5   5   5   5 "input/output error";
    ENXIO        6   6   6   6   6 "no such device or address";
    E2BIG        7   7   7   7   7 "argument list too long";
    ENOEXEC      8   8   8   8   8 "exec format error";
    EBADF        9   9   9   9   9 "bad file descriptor";
    ECHILD      10  10  10  10  10 "no child processes";
    EAGAIN      11  11  11  35  11 "resource temporarily unavailable";
    ENOMEM      12  12  12  12  12 "cannot allocate memory";
    EACCES      13  13  13  13  13 "permission denied";
    EFAULT      14  14  14  14  14 "bad address";
    EBUSY       16  16  16  16  16 "device or resource busy";
    EEXIST      17  17  17  17  17 "file exists";
    ENODEV      19  19  19  19  19 "no such device";
    ENOTDIR     20  20  20  20  20 "not a directory";
    EINVAL      22  22  22  22  22 "invalid argument";
    EMFILE      24  24  24  24  24 "too many open files";
    ENOTTY      25  25  25  25  25 "inappropriate ioctl for device";
    ENOSPC      28  28  28  28  28 "no space left on device";
    EPIPE       32  32  32  32  32 "broken pipe";
    ERANGE      34  34  34  34  34 "numerical result out of range";
    ENOSYS      38  89 251  78  90 "function not implemented";
    EOPNOTSUPP  95 122 223  45  45 "operation not supported";
    ETIMEDOUT  110 145 238  60  60 "connection timed out";
    EINPROGRESS 115 150 245 36  36 "operation now in progress";
}

impl Errno {
    /// `ENOTSUP`: the same number as [`Errno::EOPNOTSUPP`] on Linux.
    pub const ENOTSUP: Errno = Errno::EOPNOTSUPP;

    /// Wraps a positive error number.
    pub const fn from_raw(n: i32) -> Errno {
        Errno(n)
    }

    /// The positive error number.
    pub const fn raw(self) -> i32 {
        self.0
    }
}

/// `EPERM (1)`.
impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} ({})", self.0),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

/// `EPERM (operation not permitted)`, or `errno 200` for a number the crate
/// has no name for.
impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), self.description()) {
            (Some(n), Some(d)) => write!(f, "{n} ({d})"),
            _ => write!(f, "errno {}", self.0),
        }
    }
}

impl core::error::Error for Errno {}
