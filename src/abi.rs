//! System-call ABIs that the kernel can filter with seccomp.
//!
//! A filter sees `seccomp_data.arch` (the audit arch value) and `nr` (the
//! number as the ABI numbers it). [`Abi`] carries what a filter needs to
//! know about each: its audit arch, byte order, word size and the numbering
//! quirks (x32's bit, MIPS bases, ARM's private calls).
//!
//! ```
//! use seccomp_bpf::{Abi, ByteOrder};
//!
//! let abi: Abi = "SCMP_ARCH_AARCH64".parse().unwrap();
//! assert_eq!(abi, Abi::Aarch64);
//! assert_eq!(abi.audit_arch(), 0xC000_00B7);
//! assert_eq!(Abi::Mips64.byte_order(), ByteOrder::Big);
//! assert_eq!(Abi::from_name("amd64"), Some(Abi::X86_64));
//! ```

use core::fmt;

/// The byte order of an ABI, and so of `seccomp_data` and `sock_filter` on it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ByteOrder {
    /// Least significant byte first.
    Little,
    /// Most significant byte first.
    Big,
}

impl ByteOrder {
    /// The byte order of the machine this code runs on.
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };

    /// `"little"` or `"big"`.
    pub const fn name(self) -> &'static str {
        match self {
            ByteOrder::Little => "little",
            ByteOrder::Big => "big",
        }
    }
}

/// Audit arch bit: a 64-bit ABI (`__AUDIT_ARCH_64BIT`).
pub const AUDIT_ARCH_64BIT: u32 = 0x8000_0000;
/// Audit arch bit: a little-endian ABI (`__AUDIT_ARCH_LE`).
pub const AUDIT_ARCH_LE: u32 = 0x4000_0000;
/// Audit arch bit: the MIPS n32 convention (`__AUDIT_ARCH_CONVENTION_MIPS64_N32`).
pub const AUDIT_ARCH_CONVENTION_MIPS64_N32: u32 = 0x2000_0000;

/// The bit x32 sets in every syscall number (`__X32_SYSCALL_BIT`).
#[doc(alias = "__X32_SYSCALL_BIT")]
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// First number of ARM's private calls (`__ARM_NR_BASE`).
#[doc(alias = "__ARM_NR_BASE")]
pub const ARM_PRIVATE_BASE: u32 = 0x000f_0000;

macro_rules! abis {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal, $audit:expr, $order:ident, $bits:literal,
            [$($alias:literal),*];
    )*) => {
        /// A system-call ABI with seccomp filter support.
        ///
        /// Several ABIs can run on one kernel (x86_64 runs x86_64, i386 and
        /// x32 programs; arm64 runs aarch64 and arm), and a filter must
        /// check which one a call came through before it reads `nr`.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Abi {
            $($(#[$doc])* $variant,)*
        }

        impl Abi {
            /// Every ABI, in declaration order.
            pub const ALL: &'static [Abi] = &[$(Abi::$variant,)*];

            /// The crate's name for the ABI (also libseccomp's, lower case).
            pub const fn name(self) -> &'static str {
                match self { $(Abi::$variant => $name,)* }
            }

            /// The `AUDIT_ARCH_*` value `seccomp_data.arch` carries for a
            /// call through this ABI.
            pub const fn audit_arch(self) -> u32 {
                match self { $(Abi::$variant => $audit,)* }
            }

            /// The byte order of the ABI.
            pub const fn byte_order(self) -> ByteOrder {
                match self { $(Abi::$variant => ByteOrder::$order,)* }
            }

            /// Width of a register, and so of a syscall argument as the
            /// filter sees it, in bits: 32 or 64. x32 and MIPS n32 have
            /// 32-bit pointers but 64-bit registers, and their calls take
            /// 64-bit values in one register, so they count as 64.
            pub const fn word_bits(self) -> u32 {
                match self { $(Abi::$variant => $bits,)* }
            }

            /// Other names this ABI is known by (libseccomp, OCI, Debian,
            /// GNU triples), besides [`Abi::name`] and `SCMP_ARCH_<NAME>`.
            pub const fn aliases(self) -> &'static [&'static str] {
                match self { $(Abi::$variant => &[$($alias),*],)* }
            }
        }
    };
}

abis! {
    /// x86-64, 64-bit.
    X86_64 = "x86_64", 0xC000_003E, Little, 64, ["amd64", "x86-64", "x64"];
    /// x32: the x86-64 instruction set with 32-bit pointers. Its calls report
    /// `AUDIT_ARCH_X86_64` and carry [`X32_SYSCALL_BIT`] in `nr`.
    X32 = "x32", 0xC000_003E, Little, 64, ["x86_64_x32"];
    /// i386, 32-bit x86 (also `int 0x80` from a 64-bit process).
    X86 = "x86", 0x4000_0003, Little, 32, ["i386", "i486", "i586", "i686", "ia32"];
    /// AArch64 (arm64).
    Aarch64 = "aarch64", 0xC000_00B7, Little, 64, ["arm64"];
    /// 32-bit ARM, EABI, little-endian (also compat tasks on arm64).
    Arm = "arm", 0x4000_0028, Little, 32, ["armel", "armhf", "armv7", "eabi"];
    /// RISC-V, 64-bit.
    Riscv64 = "riscv64", 0xC000_00F3, Little, 64, ["rv64"];
    /// RISC-V, 32-bit.
    Riscv32 = "riscv32", 0x4000_00F3, Little, 32, ["rv32"];
    /// LoongArch, 64-bit.
    Loongarch64 = "loongarch64", 0xC000_0102, Little, 64, ["loong64"];
    /// MIPS o32, big-endian (numbers from 4000).
    Mips = "mips", 0x0000_0008, Big, 32, ["mipso32", "mipseb"];
    /// MIPS o32, little-endian (numbers from 4000).
    Mipsel = "mipsel", 0x4000_0008, Little, 32, ["mipso32el", "mipsle"];
    /// MIPS n64, big-endian (numbers from 5000).
    Mips64 = "mips64", 0x8000_0008, Big, 64, ["mips64n64"];
    /// MIPS n64, little-endian (numbers from 5000).
    Mipsel64 = "mipsel64", 0xC000_0008, Little, 64, ["mips64el", "mips64le"];
    /// MIPS n32, big-endian (numbers from 6000; 64-bit registers).
    Mips64n32 = "mips64n32", 0xA000_0008, Big, 64, ["mipsn32"];
    /// MIPS n32, little-endian (numbers from 6000; 64-bit registers).
    Mipsel64n32 = "mipsel64n32", 0xE000_0008, Little, 64, ["mips64eln32", "mipsn32el"];
    /// PowerPC, 32-bit, big-endian.
    Ppc = "ppc", 0x0000_0014, Big, 32, ["powerpc"];
    /// PowerPC, 64-bit, big-endian.
    Ppc64 = "ppc64", 0x8000_0015, Big, 64, ["powerpc64"];
    /// PowerPC, 64-bit, little-endian.
    Ppc64le = "ppc64le", 0xC000_0015, Little, 64, ["powerpc64le", "ppc64el"];
    /// s390, 31-bit.
    S390 = "s390", 0x0000_0016, Big, 32, [];
    /// s390x (z/Architecture), 64-bit.
    S390x = "s390x", 0x8000_0016, Big, 64, [];
    /// PA-RISC, 32-bit.
    Parisc = "parisc", 0x0000_000F, Big, 32, ["hppa"];
    /// PA-RISC, 64-bit.
    Parisc64 = "parisc64", 0x8000_000F, Big, 64, ["hppa64"];
    /// Motorola 68000.
    M68k = "m68k", 0x0000_0004, Big, 32, [];
    /// SuperH, little-endian (libseccomp's `SCMP_ARCH_SH`).
    Sh = "sh", 0x4000_002A, Little, 32, ["shel", "sh4"];
    /// SuperH, big-endian (libseccomp's `SCMP_ARCH_SHEB`).
    Sheb = "sheb", 0x0000_002A, Big, 32, ["sh4eb"];
    /// C-SKY.
    Csky = "csky", 0x4000_00FC, Little, 32, [];
    /// Xtensa (big-endian audit arch; the kernel reports no LE bit).
    Xtensa = "xtensa", 0x0000_005E, Big, 32, [];
}

impl Abi {
    /// The ABI of the code being compiled, where the crate knows it.
    pub const NATIVE: Option<Abi> = native();

    /// Looks an ABI up by name: the crate's own ([`Abi::name`]), an alias
    /// ([`Abi::aliases`]), or libseccomp/OCI's `SCMP_ARCH_<NAME>`; ASCII
    /// case is ignored. Usable in const context.
    pub const fn from_name(name: &str) -> Option<Abi> {
        let mut s = name.as_bytes();
        if starts_with_ignore_case(s, b"scmp_arch_") {
            let (_, rest) = s.split_at(10);
            s = rest;
        }
        let mut i = 0;
        while i < Abi::ALL.len() {
            let abi = Abi::ALL[i];
            if eq_ignore_case(s, abi.name().as_bytes()) {
                return Some(abi);
            }
            let aliases = abi.aliases();
            let mut j = 0;
            while j < aliases.len() {
                if eq_ignore_case(s, aliases[j].as_bytes()) {
                    return Some(abi);
                }
                j += 1;
            }
            i += 1;
        }
        None
    }

    /// The ABI a filter sees for `(arch, nr)`, the pair `seccomp_data`
    /// carries. On x86_64's audit arch a number with [`X32_SYSCALL_BIT`] is
    /// x32; the MIPS ABIs are told apart by their audit arch alone.
    pub const fn from_audit_arch(arch: u32, nr: u32) -> Option<Abi> {
        if arch == Abi::X86_64.audit_arch() {
            return Some(if nr & X32_SYSCALL_BIT != 0 {
                Abi::X32
            } else {
                Abi::X86_64
            });
        }
        let mut i = 0;
        while i < Abi::ALL.len() {
            if Abi::ALL[i].audit_arch() == arch {
                return Some(Abi::ALL[i]);
            }
            i += 1;
        }
        None
    }

    /// The name of an audit arch value, as this crate spells the ABI that
    /// reports it (`x86_64` for x32's shared value too).
    pub const fn audit_arch_name(arch: u32) -> Option<&'static str> {
        match Abi::from_audit_arch(arch, 0) {
            Some(abi) => Some(abi.name()),
            None => None,
        }
    }

    /// The number the ABI adds to every syscall number it defines: 4000,
    /// 5000 and 6000 for MIPS o32, n64 and n32; [`X32_SYSCALL_BIT`] for x32;
    /// 0 elsewhere. Numbers in this crate's tables already include it, as
    /// `seccomp_data.nr` does.
    pub const fn syscall_base(self) -> u32 {
        match self {
            Abi::X32 => X32_SYSCALL_BIT,
            Abi::Mips | Abi::Mipsel => 4000,
            Abi::Mips64 | Abi::Mipsel64 => 5000,
            Abi::Mips64n32 | Abi::Mipsel64n32 => 6000,
            _ => 0,
        }
    }

    /// Where the ABI's private calls start, if it has any: ARM's
    /// `__ARM_NR_BASE` (0x0f0000; breakpoint, cacheflush, usr26, usr32,
    /// set_tls, get_tls at +1..=+6).
    pub const fn private_base(self) -> Option<u32> {
        match self {
            Abi::Arm => Some(ARM_PRIVATE_BASE),
            _ => None,
        }
    }

    /// Whether several ABIs share this ABI's audit arch, so that a filter
    /// must also test `nr` to tell them apart (x86_64 and x32).
    pub const fn shares_audit_arch(self) -> bool {
        matches!(self, Abi::X86_64 | Abi::X32)
    }

    /// The 32-bit ABI a kernel of this ABI also runs, whose calls it
    /// reports with their own audit arch (`x86_64` runs `x86`, `aarch64`
    /// runs `arm`, ...). The kernel's constant-action cache covers the
    /// native ABI and this one.
    pub const fn compat(self) -> Option<Abi> {
        match self {
            Abi::X86_64 => Some(Abi::X86),
            Abi::Aarch64 => Some(Abi::Arm),
            Abi::Ppc64 => Some(Abi::Ppc),
            Abi::S390x => Some(Abi::S390),
            Abi::Parisc64 => Some(Abi::Parisc),
            Abi::Mips64 => Some(Abi::Mips),
            Abi::Mipsel64 => Some(Abi::Mipsel),
            _ => None,
        }
    }

    /// Whether a syscall argument on this ABI can have a nonzero upper 32
    /// bits as the filter sees it. On 32-bit ABIs the kernel fills the
    /// upper half of `args[i]` with zero.
    pub const fn has_upper_arg_half(self) -> bool {
        self.word_bits() == 64
    }
}

const fn native() -> Option<Abi> {
    if cfg!(all(target_arch = "x86_64", target_pointer_width = "32")) {
        Some(Abi::X32)
    } else if cfg!(target_arch = "x86_64") {
        Some(Abi::X86_64)
    } else if cfg!(target_arch = "x86") {
        Some(Abi::X86)
    } else if cfg!(target_arch = "aarch64") {
        Some(Abi::Aarch64)
    } else if cfg!(target_arch = "arm") {
        if cfg!(target_endian = "little") {
            Some(Abi::Arm)
        } else {
            None
        }
    } else if cfg!(target_arch = "riscv64") {
        Some(Abi::Riscv64)
    } else if cfg!(target_arch = "riscv32") {
        Some(Abi::Riscv32)
    } else if cfg!(target_arch = "loongarch64") {
        Some(Abi::Loongarch64)
    } else if cfg!(target_arch = "mips") {
        if cfg!(target_endian = "big") {
            Some(Abi::Mips)
        } else {
            Some(Abi::Mipsel)
        }
    } else if cfg!(all(target_arch = "mips64", target_pointer_width = "32")) {
        if cfg!(target_endian = "big") {
            Some(Abi::Mips64n32)
        } else {
            Some(Abi::Mipsel64n32)
        }
    } else if cfg!(target_arch = "mips64") {
        if cfg!(target_endian = "big") {
            Some(Abi::Mips64)
        } else {
            Some(Abi::Mipsel64)
        }
    } else if cfg!(target_arch = "powerpc") {
        Some(Abi::Ppc)
    } else if cfg!(target_arch = "powerpc64") {
        if cfg!(target_endian = "big") {
            Some(Abi::Ppc64)
        } else {
            Some(Abi::Ppc64le)
        }
    } else if cfg!(target_arch = "s390x") {
        Some(Abi::S390x)
    } else if cfg!(target_arch = "m68k") {
        Some(Abi::M68k)
    } else if cfg!(target_arch = "csky") {
        Some(Abi::Csky)
    } else if cfg!(target_arch = "xtensa") {
        Some(Abi::Xtensa)
    } else {
        None
    }
}

const fn lower(b: u8) -> u8 {
    b.to_ascii_lowercase()
}

const fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        // `-` and `_` are the same letter in ABI names (x86-64, x86_64).
        let (x, y) = (lower(a[i]), lower(b[i]));
        if x != y && !((x == b'-' || x == b'_') && (y == b'-' || y == b'_')) {
            return false;
        }
        i += 1;
    }
    true
}

const fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    if s.len() < prefix.len() {
        return false;
    }
    let (head, _) = s.split_at(prefix.len());
    eq_ignore_case(head, prefix)
}

impl fmt::Display for Abi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a name that is no known ABI.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct UnknownAbi;

impl fmt::Display for UnknownAbi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown ABI name (see `seccomp-bpf abis` for the list)")
    }
}

impl core::error::Error for UnknownAbi {}

impl core::str::FromStr for Abi {
    type Err = UnknownAbi;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Abi::from_name(s).ok_or(UnknownAbi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for &abi in Abi::ALL {
            assert_eq!(Abi::from_name(abi.name()), Some(abi));
            let upper = std::format!("SCMP_ARCH_{}", abi.name().to_ascii_uppercase());
            assert_eq!(Abi::from_name(&upper), Some(abi), "{upper}");
            for alias in abi.aliases() {
                assert_eq!(Abi::from_name(alias), Some(abi), "{alias}");
            }
        }
        assert_eq!(Abi::from_name("AMD64"), Some(Abi::X86_64));
        assert_eq!(Abi::from_name("SCMP_ARCH_X86"), Some(Abi::X86));
        assert_eq!(Abi::from_name("scmp_arch_arm64"), Some(Abi::Aarch64));
        assert_eq!(Abi::from_name("x86-64"), Some(Abi::X86_64));
        assert_eq!(Abi::from_name("sparc"), None);
        assert_eq!(Abi::from_name(""), None);
        assert_eq!(Abi::ALL.len(), 26);
    }

    #[test]
    fn audit_arch_bits_match_word_size_and_byte_order() {
        for &abi in Abi::ALL {
            let arch = abi.audit_arch();
            // xtensa's kernel reports no LE bit although the CPU usually runs LE.
            if abi != Abi::Xtensa {
                assert_eq!(
                    arch & AUDIT_ARCH_LE != 0,
                    abi.byte_order() == ByteOrder::Little,
                    "{abi}"
                );
            }
            assert_eq!(arch & AUDIT_ARCH_64BIT != 0, abi.word_bits() == 64, "{abi}");
            let back = Abi::from_audit_arch(arch, abi.syscall_base()).unwrap();
            assert_eq!(back, abi);
        }
    }

    #[test]
    fn const_lookup() {
        const A: Option<Abi> = Abi::from_name("SCMP_ARCH_PPC64LE");
        assert_eq!(A, Some(Abi::Ppc64le));
        #[cfg(target_arch = "x86_64")]
        assert_eq!(Abi::NATIVE, Some(Abi::X86_64));
        #[cfg(target_arch = "x86")]
        assert_eq!(Abi::NATIVE, Some(Abi::X86));
    }
}
