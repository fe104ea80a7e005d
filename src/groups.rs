//! Named sets of system calls, with systemd's names and meaning.
//!
//! [`Group`] is one of the sets that systemd's `SystemCallFilter=` knows
//! (`@default`, `@basic-io`, `@file-system`, `@system-service`, ... and
//! `@known`), with systemd's one-line description. Its members are
//! flattened through the groups it includes (`@system-service` includes
//! `@basic-io`, `@privileged` includes `@chown`, ...), sorted and
//! deduplicated, as [`Syscall`]s; [`Group::members_on`] gives those an ABI
//! has, with their numbers. Everything but the iterator is a `const fn`, so
//! a policy can be sized and built at compile time:
//!
//! ```
//! use seccomp_bpf::{Abi, Group, Syscall};
//!
//! const IO: Group = Group::BasicIo;
//! const HAS_READ: bool = IO.contains(Syscall::read);
//! const ON_X86_64: usize = IO.count_on(Abi::X86_64);
//! const SERVICE: Option<Group> = Group::from_name("@system-service");
//! assert!(HAS_READ);
//! assert_eq!(IO.name(), "@basic-io");
//! assert_eq!(SERVICE, Some(Group::SystemService));
//! assert!(IO.members().iter().all(|&s| Group::SystemService.contains(s)));
//!
//! // x86_64 has no `_llseek`: only the calls it has, with its numbers.
//! let numbers: Vec<(Syscall, u32)> = IO.members_on(Abi::X86_64).collect();
//! assert!(numbers.contains(&(Syscall::read, 0)));
//! assert!(!numbers.iter().any(|&(s, _)| s == Syscall::_llseek));
//! assert_eq!(numbers.len(), ON_X86_64);
//! ```
//!
//! # Where the groups come from
//!
//! `arch/groups.txt` is captured by `scripts/import-groups.py` from the
//! output of `systemd-analyze syscall-filter` of systemd
//! [`SYSTEMD_VERSION`] (Debian 12's, which already carries some later
//! additions: `fchmodat2`, `uretprobe`, `riscv_hwprobe`,
//! `set_mempolicy_home_node`). Nested groups are kept there as references;
//! `tools/gen_groups.rs` resolves them into `src/groups/generated.rs`, and
//! `tests/groups.rs` fails if that file is stale, and compares the groups
//! with a fresh `systemd-analyze syscall-filter` where the command exists.
//!
//! Names that systemd lists but that none of the crate's ABIs defines (calls
//! of architectures the crate does not filter, such as `osf_*` or
//! `spu_run`, calls the kernel removed, such as `_sysctl`, and names no
//! kernel table has, such as `newfstat`) stay in `arch/groups.txt` and are
//! given by [`Group::foreign_names`]; they are on no ABI, so
//! [`Group::members_on`] never yields them. A call that only some ABIs
//! have (`_llseek`, `arch_prctl`) is a member, and is resolved per ABI.
//!
//! # Extensions beyond systemd 252
//!
//! Later systemd releases put calls added to Linux after 252 into the
//! groups. The crate adds those that systemd 262 (Debian's `262.1-1`,
//! whose `systemd-analyze syscall-filter` was run to find them) prints and
//! 252 does not, each marked with `+` in `arch/groups.txt` and listed by
//! [`Group::extensions`]:
//!
//! - `@sandbox` (new group, "Sandbox functionality"): `landlock_add_rule`,
//!   `landlock_create_ruleset`, `landlock_restrict_self`, `seccomp`;
//! - `@default`: includes `@sandbox`; `lsm_get_self_attr`,
//!   `lsm_list_modules`, `mseal`;
//! - `@basic-io`: `llseek`;
//! - `@file-system`: `file_getattr`, `file_setattr`, `fstatat`,
//!   `getxattrat`, `listmount`, `listxattrat`, `newfstat`, `open_tree`,
//!   `removexattrat`, `setxattrat`, `statmount`;
//! - `@mount`: `open_tree_attr`;
//! - `@known`: `breakpoint`, `cachestat`, `fchroot`, `file_getattr`,
//!   `file_setattr`, `get_tls`, `getxattrat`, `listmount`, `listns`,
//!   `listxattrat`, `llseek`, `lsm_get_self_attr`, `lsm_list_modules`,
//!   `lsm_set_self_attr`, `mseal`, `open_tree_attr`, `removexattrat`,
//!   `rseq_slice_yield`, `set_tls`, `setxattrat`, `statmount`, `uprobe`,
//!   `uretprobe`, `usr26`, `usr32`.
//!
//! Nothing is removed: systemd 262 no longer lists `open_tree` in
//! `@mount` (it moved to `@file-system`), but the crate keeps 252's
//! membership and only adds. Calls that systemd 262 still leaves out of
//! every group but `@known` (`cachestat`, `map_shadow_stack`,
//! `futex_wake`, `futex_wait`, `futex_requeue`, `lsm_set_self_attr`,
//! `memfd_secret`, `process_mrelease`, ...) are not added anywhere else.

use crate::abi::Abi;
use crate::syscall::{self, Syscall};
use core::fmt;

/// Declares [`Group`] from the generated list of groups.
macro_rules! groups {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal, $desc:literal, extension $ext:literal,
            includes [$($inc:ident),* $(,)?],
            extensions [$($added:literal),* $(,)?],
            foreign [$($foreign:literal),* $(,)?],
            members [$($call:ident),* $(,)?];
    )*) => {
        /// One of systemd's named sets of system calls.
        ///
        /// The variants are systemd's sets in the order
        /// `systemd-analyze syscall-filter` prints them (`@default` first,
        /// `@known` last), named in Rust case (`@basic-io` is
        /// [`Group::BasicIo`]). Each variant's docs say how many calls it
        /// has and what it includes.
        #[repr(u8)]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Group {
            $( $(#[$doc])* $variant, )*
        }

        impl Group {
            /// Every group, in systemd's order.
            pub const ALL: &'static [Group] = &[$(Group::$variant,)*];

            /// The name as systemd spells it, with its `@` (`"@basic-io"`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Group::$variant => $name,)*
                }
            }

            /// systemd's one-line description (`"Basic IO"`).
            pub const fn description(self) -> &'static str {
                match self {
                    $(Group::$variant => $desc,)*
                }
            }

            /// Every call in the group, through the groups it includes,
            /// sorted by name (the order of [`Syscall`]) and without
            /// duplicates. Calls are listed whether or not a given ABI has
            /// them: see [`Group::members_on`].
            pub const fn members(self) -> &'static [Syscall] {
                match self {
                    $(Group::$variant => &[$(Syscall::$call,)*],)*
                }
            }

            /// The groups this one includes directly, as systemd lists
            /// them (`@system-service` includes `@basic-io`, ...).
            pub const fn includes(self) -> &'static [Group] {
                match self {
                    $(Group::$variant => &[$(Group::$inc,)*],)*
                }
            }

            /// The names systemd lists in the group (through the groups it
            /// includes) that are no call on any of the crate's ABIs,
            /// sorted by bytes (`"_sysctl"`, `"osf_stat"`, ...).
            pub const fn foreign_names(self) -> &'static [&'static str] {
                match self {
                    $(Group::$variant => &[$($foreign,)*],)*
                }
            }

            /// The direct members (call names, or included groups with
            /// their `@`) that the crate adds beyond systemd
            /// [`SYSTEMD_VERSION`], because a later systemd lists them
            /// (see the module docs). For a group that is itself an
            /// extension ([`Group::is_extension`]), all its members.
            pub const fn extensions(self) -> &'static [&'static str] {
                match self {
                    $(Group::$variant => &[$($added,)*],)*
                }
            }

            /// Whether the whole group is an extension beyond systemd
            /// [`SYSTEMD_VERSION`] (`@sandbox`).
            pub const fn is_extension(self) -> bool {
                match self {
                    $(Group::$variant => $ext,)*
                }
            }
        }
    };
}

include!("groups/generated.rs");

// Checked while compiling: every member list ascends strictly, which
// `contains` relies on, and every included group's calls are the
// includer's.
const _: () = assert!(
    well_formed(),
    "a group's members are not sorted or not closed"
);

const fn well_formed() -> bool {
    let mut g = 0;
    while g < Group::ALL.len() {
        let group = Group::ALL[g];
        let members = group.members();
        let mut i = 1;
        while i < members.len() {
            if members[i - 1] as u16 >= members[i] as u16 {
                return false;
            }
            i += 1;
        }
        let includes = group.includes();
        let mut j = 0;
        while j < includes.len() {
            let inner = includes[j].members();
            let mut k = 0;
            while k < inner.len() {
                if !group.contains(inner[k]) {
                    return false;
                }
                k += 1;
            }
            j += 1;
        }
        g += 1;
    }
    true
}

const fn eq_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl Group {
    /// The group named `name`, with or without its `@` (`"@basic-io"` or
    /// `"basic-io"`); case matters, as in systemd. Usable in const context.
    ///
    /// ```
    /// use seccomp_bpf::Group;
    /// const G: Option<Group> = Group::from_name("network-io");
    /// assert_eq!(G, Some(Group::NetworkIo));
    /// assert_eq!(Group::from_name("@clock"), Some(Group::Clock));
    /// assert_eq!(Group::from_name("@@clock"), None);
    /// assert_eq!(Group::from_name("@Clock"), None);
    /// ```
    pub const fn from_name(name: &str) -> Option<Group> {
        let name = match name.as_bytes() {
            [b'@', rest @ ..] => rest,
            all => all,
        };
        let mut i = 0;
        while i < Group::ALL.len() {
            let group = Group::ALL[i];
            if let [b'@', own @ ..] = group.name().as_bytes() {
                if eq_bytes(own, name) {
                    return Some(group);
                }
            }
            i += 1;
        }
        None
    }

    /// Whether `call` is in the group (through the groups it includes),
    /// on any ABI. Binary search; usable in const context.
    ///
    /// ```
    /// use seccomp_bpf::{Group, Syscall};
    /// const CLOCK: bool = Group::Clock.contains(Syscall::settimeofday);
    /// assert!(CLOCK);
    /// assert!(Group::SystemService.contains(Syscall::read));
    /// assert!(!Group::BasicIo.contains(Syscall::socket));
    /// ```
    pub const fn contains(self, call: Syscall) -> bool {
        let members = self.members();
        let key = call as u16;
        let (mut lo, mut hi) = (0, members.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let at = members[mid] as u16;
            if at == key {
                return true;
            } else if at < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        false
    }

    /// How many of the group's calls `abi` has: the length of
    /// [`Group::members_on`]. Usable in const context, e.g. to size a rule
    /// array.
    ///
    /// ```
    /// use seccomp_bpf::{Abi, Group};
    /// const N: usize = Group::BasicIo.count_on(Abi::X86_64);
    /// assert_eq!(N, Group::BasicIo.members_on(Abi::X86_64).count());
    /// ```
    pub const fn count_on(self, abi: Abi) -> usize {
        let members = self.members();
        let mut n = 0;
        let mut i = 0;
        while i < members.len() {
            if members[i].nr(abi).is_some() {
                n += 1;
            }
            i += 1;
        }
        n
    }

    /// The group's calls that `abi` has, with their numbers as
    /// `seccomp_data.nr` carries them, ascending by number.
    ///
    /// ```
    /// use seccomp_bpf::{Abi, Group, Syscall};
    /// let mut on_x32 = Group::NetworkIo.members_on(Abi::X32);
    /// assert!(on_x32.any(|(s, nr)| s == Syscall::socket && nr == 0x4000_0029));
    /// ```
    pub fn members_on(self, abi: Abi) -> MembersOn {
        MembersOn {
            group: self,
            table: syscall::table(abi),
        }
    }
}

/// The calls of `group` that `abi` has, with their numbers, ascending by
/// number: the same as [`Group::members_on`].
pub fn members_on(group: Group, abi: Abi) -> MembersOn {
    group.members_on(abi)
}

/// The iterator of [`Group::members_on`]: `(call, number)` for each call of
/// a group that an ABI has, ascending by number.
#[derive(Clone, Debug)]
pub struct MembersOn {
    group: Group,
    /// What is left of the ABI's table.
    table: &'static [(u32, Syscall)],
}

impl Iterator for MembersOn {
    type Item = (Syscall, u32);

    fn next(&mut self) -> Option<(Syscall, u32)> {
        while let Some((&(nr, call), rest)) = self.table.split_first() {
            self.table = rest;
            if self.group.contains(call) {
                return Some((call, nr));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.table.len()))
    }
}

impl core::iter::FusedIterator for MembersOn {}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a name that is none of the groups.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct UnknownGroup;

impl fmt::Display for UnknownGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown syscall group name")
    }
}

impl core::error::Error for UnknownGroup {}

impl core::str::FromStr for Group {
    type Err = UnknownGroup;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Group::from_name(s).ok_or(UnknownGroup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &group in Group::ALL {
            let name = group.name();
            assert_eq!(Group::from_name(name), Some(group));
            assert_eq!(Group::from_name(&name[1..]), Some(group));
            assert_eq!(name.parse::<Group>(), Ok(group));
            assert_eq!(std::format!("{group}"), name);
            assert!(!group.description().is_empty(), "{group}");
        }
        assert_eq!(Group::from_name(""), None);
        assert_eq!(Group::from_name("@"), None);
        assert_eq!("@no-such".parse::<Group>(), Err(UnknownGroup));
    }

    #[test]
    fn members_on_agrees_with_nr() {
        for &group in Group::ALL {
            for &abi in Abi::ALL {
                let got: std::vec::Vec<_> = group.members_on(abi).collect();
                assert!(got.windows(2).all(|w| w[0].1 < w[1].1), "{group} {abi}");
                assert_eq!(got.len(), group.count_on(abi), "{group} {abi}");
                let want: std::vec::Vec<_> = group
                    .members()
                    .iter()
                    .filter_map(|&s| s.nr(abi).map(|n| (s, n)))
                    .collect();
                for pair in &want {
                    assert!(got.contains(pair), "{group} {abi} {pair:?}");
                }
            }
        }
    }
}
