//! System-call names across ABIs, and their numbers on each ABI.
//!
//! [`Syscall`] names every call that at least one of the crate's ABIs
//! defines; [`Syscall::nr`] gives its number on an ABI as `seccomp_data.nr`
//! carries it (x32's bit, the MIPS bases and ARM's private base included),
//! and [`Syscall::from_nr`] goes back. Every lookup is a `const fn`:
//!
//! ```
//! use seccomp_bpf::{Abi, Syscall};
//!
//! const OPENAT: Option<u32> = Syscall::openat.nr(Abi::Aarch64);
//! const OPEN: Option<u32> = Syscall::open.nr(Abi::Aarch64);
//! const SOCKETCALL: Option<Syscall> = Syscall::from_nr(Abi::X86, 102);
//! const WRITE: Option<Syscall> = Syscall::from_name("write");
//! assert_eq!(OPENAT, Some(56));
//! assert_eq!(OPEN, None); // aarch64 has no `open`
//! assert_eq!(SOCKETCALL, Some(Syscall::socketcall));
//! assert_eq!(WRITE.and_then(|s| s.nr(Abi::X32)), Some(0x4000_0001));
//! assert_eq!("openat".parse::<Syscall>(), Ok(Syscall::openat));
//! ```
//!
//! # Where the numbers come from
//!
//! `arch/*.tbl` holds one table per numbering (ABIs that share one, such as
//! `mips` and `mipsel`, share a file), built by `scripts/import-syscalls.py`
//! from the Linux [`LINUX_VERSION`] syscall tables. `src/syscall/generated.rs`
//! is generated from `arch/` by `tools/gen_tables.rs`, and `tests/tables.rs`
//! fails if the two differ, so the Rust cannot drift from `arch/`.
//!
//! # Binary size
//!
//! Every table is compiled in on every host, so an x86_64 program can name
//! i386 or MIPS calls. A table costs nothing in a program that does not use
//! it: [`Syscall::nr`], [`Syscall::from_nr`] and [`table`] are inlined, so
//! with a constant ABI only that ABI's table reaches the binary. Measured
//! with the examples `size_one_abi` (x86_64 as a constant, names and
//! numbers from the command line) and `size_all_abis` (the same over
//! [`Abi::ALL`] at run time), built with `cargo build --release --example
//! NAME` and stripped, on x86_64 with Rust 1.95: 364,392 bytes against
//! 447,480 bytes, so 83,088 bytes for the 20 further tables, about 4.1 KiB
//! each (a table is 8 bytes a call plus a 970-byte index). A probe that
//! only uses [`Syscall::from_name`] and [`Syscall::name`] (the names, which
//! every table shares) was 359,848 bytes: one table and its lookups cost
//! 4.5 KiB.

use crate::abi::Abi;
use core::cmp::Ordering;
use core::fmt;

/// The index value that marks a call absent from a table.
const ABSENT: u16 = u16::MAX;

/// Declares [`Syscall`] from the generated list of names, sorted by bytes.
macro_rules! syscalls {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )*) => {
        /// A system call, by name, on any of the crate's ABIs.
        ///
        /// The variants are every name that at least one [`Abi`] defines,
        /// in byte order of their names (names that are Rust keywords use
        /// raw identifiers). A call may be absent on a given ABI:
        /// [`Syscall::nr`] then returns `None`. Each variant's docs list its
        /// numbers.
        #[repr(u16)]
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Syscall {
            $( $(#[$doc])* $variant, )*
        }

        impl Syscall {
            /// Every call, sorted by name (and so by discriminant).
            pub const ALL: &'static [Syscall] = &[$(Syscall::$variant,)*];

            /// The call's name as the kernel spells it (`"openat"`,
            /// `"_llseek"`; keywords without the `r#`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Syscall::$variant => $name,)*
                }
            }
        }
    };
}

/// Declares the per-ABI tables and the lookups that dispatch on [`Abi`].
///
/// Each table is a `const` slice of `(nr, Syscall)` ascending by number,
/// with a `const` index array (discriminant -> position, computed at compile
/// time) for O(1) [`Syscall::nr`].
macro_rules! tables {
    ($(
        $(#[$doc:meta])*
        $table:ident $index:ident : [$($abi:ident),+] = [ $(($nr:literal, $call:ident),)* ];
    )*) => {
        $(
            $(#[$doc])*
            const $table: &[(u32, Syscall)] = &[$(($nr, Syscall::$call),)*];
            const $index: [u16; COUNT] = index_of($table);
        )*

        impl Syscall {
            /// The call's number on `abi` as `seccomp_data.nr` carries it
            /// (with x32's bit, the MIPS base or ARM's private base), or
            /// `None` where the ABI does not have the call. O(1); usable in
            /// const context.
            ///
            /// ```
            /// use seccomp_bpf::{Abi, Syscall};
            /// const OPENAT: Option<u32> = Syscall::openat.nr(Abi::Aarch64);
            /// assert_eq!(OPENAT, Some(56));
            /// assert_eq!(Syscall::openat.nr(Abi::X86_64), Some(257));
            /// assert_eq!(Syscall::open.nr(Abi::Aarch64), None);
            /// ```
            #[inline(always)]
            pub const fn nr(self, abi: Abi) -> Option<u32> {
                match abi {
                    $( $(Abi::$abi)|+ => nr_in($table, &$index, self), )*
                }
            }

            /// The call that has number `nr` on `abi`, if any (binary
            /// search; usable in const context).
            ///
            /// ```
            /// use seccomp_bpf::{Abi, Syscall};
            /// assert_eq!(Syscall::from_nr(Abi::X86, 102), Some(Syscall::socketcall));
            /// assert_eq!(Syscall::from_nr(Abi::Arm, 0x0f0005), Some(Syscall::set_tls));
            /// assert_eq!(Syscall::from_nr(Abi::X86_64, 100_000), None);
            /// ```
            #[inline(always)]
            pub const fn from_nr(abi: Abi, nr: u32) -> Option<Syscall> {
                search(table(abi), nr)
            }
        }

        /// Every call `abi` has, as `(nr, call)`, ascending by number.
        ///
        /// ```
        /// use seccomp_bpf::{syscall, Abi, Syscall};
        /// let t = syscall::table(Abi::X86_64);
        /// assert_eq!(t.first(), Some(&(0, Syscall::read)));
        /// assert!(t.windows(2).all(|w| w[0].0 < w[1].0));
        /// ```
        #[inline(always)]
        pub const fn table(abi: Abi) -> &'static [(u32, Syscall)] {
            match abi {
                $( $(Abi::$abi)|+ => $table, )*
            }
        }

        // Checked while compiling: every table ascends strictly by number.
        $( const _: () = assert!(ascending($table), "a table is not sorted by number"); )*
    };
}

include!("syscall/generated.rs");

/// The number of [`Syscall`] variants.
const COUNT: usize = Syscall::ALL.len();

// Checked while compiling: `ALL` is sorted by name and its position is the
// discriminant, which `from_name` and the index arrays rely on.
const _: () = assert!(names_sorted(), "Syscall::ALL is not sorted by name");

const fn names_sorted() -> bool {
    let mut i = 0;
    while i < COUNT {
        if Syscall::ALL[i] as usize != i {
            return false;
        }
        if i > 0
            && !matches!(
                cmp_bytes(
                    Syscall::ALL[i - 1].name().as_bytes(),
                    Syscall::ALL[i].name().as_bytes()
                ),
                Ordering::Less
            )
        {
            return false;
        }
        i += 1;
    }
    true
}

const fn ascending(table: &[(u32, Syscall)]) -> bool {
    let mut i = 1;
    while i < table.len() {
        if table[i - 1].0 >= table[i].0 {
            return false;
        }
        i += 1;
    }
    true
}

/// Position of each call in `table`, by discriminant; [`ABSENT`] where the
/// table lacks it. Runs at compile time; a name listed twice or a table too
/// long for a `u16` index stops the build.
const fn index_of(table: &[(u32, Syscall)]) -> [u16; COUNT] {
    assert!(
        table.len() < ABSENT as usize,
        "table too long for a u16 index"
    );
    let mut out = [ABSENT; COUNT];
    let mut i = 0;
    while i < table.len() {
        let slot = table[i].1 as usize;
        assert!(out[slot] == ABSENT, "a call is listed twice in one table");
        out[slot] = i as u16;
        i += 1;
    }
    out
}

const fn nr_in(table: &[(u32, Syscall)], index: &[u16; COUNT], call: Syscall) -> Option<u32> {
    let slot = call as usize;
    if slot >= COUNT {
        return None;
    }
    let at = index[slot] as usize;
    if at < table.len() {
        Some(table[at].0)
    } else {
        None
    }
}

const fn search(table: &[(u32, Syscall)], nr: u32) -> Option<Syscall> {
    let (mut lo, mut hi) = (0, table.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (n, call) = table[mid];
        if n == nr {
            return Some(call);
        } else if n < nr {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    None
}

const fn cmp_bytes(a: &[u8], b: &[u8]) -> Ordering {
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return if a[i] < b[i] {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        i += 1;
    }
    if a.len() < b.len() {
        Ordering::Less
    } else if a.len() > b.len() {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

impl Syscall {
    /// The call named `name`, exactly as the kernel spells it (no `r#`,
    /// case matters), on any ABI. Binary search; usable in const context.
    ///
    /// ```
    /// use seccomp_bpf::Syscall;
    /// const READ: Option<Syscall> = Syscall::from_name("read");
    /// assert_eq!(READ, Some(Syscall::read));
    /// assert_eq!(Syscall::from_name("_llseek"), Some(Syscall::_llseek));
    /// assert_eq!(Syscall::from_name("READ"), None);
    /// ```
    pub const fn from_name(name: &str) -> Option<Syscall> {
        let name = name.as_bytes();
        let (mut lo, mut hi) = (0, COUNT);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let call = Syscall::ALL[mid];
            match cmp_bytes(call.name().as_bytes(), name) {
                Ordering::Equal => return Some(call),
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
            }
        }
        None
    }
}

impl fmt::Display for Syscall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a name that is no system call on any of the crate's ABIs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct UnknownSyscall;

impl fmt::Display for UnknownSyscall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown system call name")
    }
}

impl core::error::Error for UnknownSyscall {}

impl core::str::FromStr for Syscall {
    type Err = UnknownSyscall;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Syscall::from_name(s).ok_or(UnknownSyscall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{ARM_PRIVATE_BASE, X32_SYSCALL_BIT};

    #[test]
    fn names_round_trip() {
        const { assert!(COUNT > 400, "too few names") };
        for &call in Syscall::ALL {
            assert_eq!(Syscall::from_name(call.name()), Some(call), "{call}");
            assert_eq!(call.name().parse::<Syscall>(), Ok(call));
            assert_eq!(std::format!("{call}"), call.name());
        }
        assert_eq!(Syscall::ALL.first(), Some(&Syscall::_llseek));
        assert_eq!(Syscall::from_name(""), None);
        assert_eq!(Syscall::from_name("openat2x"), None);
        assert_eq!(Syscall::from_name("zzz"), None);
        assert_eq!("no_such_call".parse::<Syscall>(), Err(UnknownSyscall));
    }

    #[test]
    fn numbers_round_trip_in_every_table() {
        for &abi in Abi::ALL {
            let t = table(abi);
            assert!(t.len() > 250, "{abi}: {} calls", t.len());
            for &(nr, call) in t {
                assert_eq!(call.nr(abi), Some(nr), "{abi} {call}");
                assert_eq!(Syscall::from_nr(abi, nr), Some(call), "{abi} {nr}");
            }
            // Every call not in the table is absent.
            let present = Syscall::ALL.iter().filter(|c| c.nr(abi).is_some()).count();
            assert_eq!(present, t.len(), "{abi}");
            assert_eq!(Syscall::from_nr(abi, u32::MAX), None);
        }
    }

    #[test]
    fn bases_and_private_calls() {
        for &(nr, call) in table(Abi::X32) {
            assert_ne!(nr & X32_SYSCALL_BIT, 0, "x32 {call} {nr:#x}");
        }
        for (abi, base) in [
            (Abi::Mips, 4000),
            (Abi::Mipsel, 4000),
            (Abi::Mips64, 5000),
            (Abi::Mipsel64, 5000),
            (Abi::Mips64n32, 6000),
            (Abi::Mipsel64n32, 6000),
        ] {
            assert_eq!(abi.syscall_base(), base);
            for &(nr, call) in table(abi) {
                assert!((base..base + 1000).contains(&nr), "{abi} {call} {nr}");
            }
        }
        let private = [
            Syscall::breakpoint,
            Syscall::cacheflush,
            Syscall::usr26,
            Syscall::usr32,
            Syscall::set_tls,
            Syscall::get_tls,
        ];
        for (i, call) in (1..).zip(private) {
            assert_eq!(call.nr(Abi::Arm), Some(ARM_PRIVATE_BASE + i), "{call}");
            assert_eq!(Syscall::from_nr(Abi::Arm, 0x0f0000 + i), Some(call));
            assert_eq!(call.nr(Abi::Aarch64), None, "{call}");
        }
        // Nothing else of ARM's sits at or above the private base.
        let high = table(Abi::Arm)
            .iter()
            .filter(|e| e.0 >= ARM_PRIVATE_BASE)
            .count();
        assert_eq!(high, private.len());
    }

    #[test]
    fn well_known_numbers() {
        assert_eq!(Syscall::read.nr(Abi::X86_64), Some(0));
        assert_eq!(Syscall::openat.nr(Abi::X86_64), Some(257));
        assert_eq!(Syscall::getpid.nr(Abi::X86_64), Some(39));
        assert_eq!(Syscall::seccomp.nr(Abi::X86_64), Some(317));
        assert_eq!(Syscall::seccomp.nr(Abi::X86), Some(354));
        assert_eq!(Syscall::seccomp.nr(Abi::Aarch64), Some(277));
        assert_eq!(Syscall::seccomp.nr(Abi::Arm), Some(383));
        assert_eq!(Syscall::seccomp.nr(Abi::Mips), Some(4352));
        assert_eq!(Syscall::seccomp.nr(Abi::Mips64), Some(5312));
        assert_eq!(Syscall::seccomp.nr(Abi::Mips64n32), Some(6316));
        assert_eq!(Syscall::socketcall.nr(Abi::X86), Some(102));
        assert_eq!(Syscall::socketcall.nr(Abi::X86_64), None);
        assert_eq!(Syscall::openat.nr(Abi::Aarch64), Some(56));
        assert_eq!(Syscall::open.nr(Abi::Aarch64), None);
        assert_eq!(Syscall::open.nr(Abi::X86_64), Some(2));
        assert_eq!(Syscall::getpid.nr(Abi::X32), Some(X32_SYSCALL_BIT | 39));
        assert_eq!(Syscall::exit.nr(Abi::Mipsel), Some(4001));
        assert_eq!(Syscall::exit.nr(Abi::Mipsel64), Some(5058));
        assert_eq!(Syscall::exit.nr(Abi::Mipsel64n32), Some(6058));
        // ABIs that share a numbering share a table.
        assert_eq!(table(Abi::Mips), table(Abi::Mipsel));
        assert_eq!(table(Abi::Ppc64), table(Abi::Ppc64le));
        assert_eq!(table(Abi::Sh), table(Abi::Sheb));
    }

    #[test]
    fn const_and_runtime_agree() {
        const A: Option<u32> = Syscall::openat.nr(Abi::Aarch64);
        const B: Option<Syscall> = Syscall::from_nr(Abi::X86_64, 257);
        const C: Option<Syscall> = Syscall::from_name("openat");
        const T: usize = table(Abi::Riscv64).len();
        let abi = std::hint::black_box(Abi::Aarch64);
        assert_eq!(A, Syscall::openat.nr(abi));
        assert_eq!(B, Syscall::from_nr(std::hint::black_box(Abi::X86_64), 257));
        assert_eq!(C, Syscall::from_name(std::hint::black_box("openat")));
        assert_eq!(T, table(std::hint::black_box(Abi::Riscv64)).len());
    }
}
