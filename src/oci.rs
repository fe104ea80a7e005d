//! OCI seccomp profiles read into a [`Policy`] (feature `oci`).
//!
//! Reads the JSON of the runtime spec's `linux.seccomp` object, and the
//! profile format of container engines built on it, which adds `archMap`,
//! `includes` and `excludes`:
//!
//! ```json
//! {
//!   "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
//!   "archMap": [{ "architecture": "SCMP_ARCH_X86_64",
//!                 "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] }],
//!   "syscalls": [
//!     { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW" },
//!     { "names": ["personality"], "action": "SCMP_ACT_ALLOW",
//!       "args": [{ "index": 0, "value": 8, "op": "SCMP_CMP_EQ" }] },
//!     { "names": ["bpf"], "action": "SCMP_ACT_ALLOW",
//!       "includes": { "caps": ["CAP_SYS_ADMIN"] } }
//!   ]
//! }
//! ```
//!
//! ```
//! use seccomp_bpf::oci::{Options, Profile};
//! use seccomp_bpf::{Abi, Action, Syscall, compile};
//!
//! let json = r#"{
//!     "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
//!     "syscalls": [
//!         { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW" },
//!         { "names": ["bpf"], "action": "SCMP_ACT_ALLOW",
//!           "includes": { "caps": ["CAP_SYS_ADMIN"] } }
//!     ]
//! }"#;
//! let profile = Profile::from_json(json, &Options::new().abis(&[Abi::X86_64]))?;
//! let rules = profile.rules(); // the policy borrows these
//! let policy = rules.policy();
//! let bpf = Syscall::bpf.nr(Abi::X86_64).unwrap();
//! assert_eq!(policy.evaluate(Abi::X86_64, 0, &[0; 6]), Ok(Action::Allow));
//! assert_eq!(policy.evaluate(Abi::X86_64, bpf, &[0; 6]), Ok(Action::Errno(38)));
//! let filter = compile::<64>(&policy).unwrap();
//! # let _ = filter;
//!
//! // With CAP_SYS_ADMIN, the `bpf` rule applies.
//! let opts = Options::new().abis(&[Abi::X86_64]).caps(&["CAP_SYS_ADMIN"]);
//! let profile = Profile::from_json(json, &opts)?;
//! let rules = profile.rules();
//! assert_eq!(rules.policy().evaluate(Abi::X86_64, bpf, &[0; 6]), Ok(Action::Allow));
//! # Ok::<(), seccomp_bpf::oci::OciError>(())
//! ```
//!
//! # How a profile is read
//!
//! As runc (with its engine's profile layer) reads it:
//!
//! - **ABIs**: those of [`Options::abis`] if given; otherwise
//!   `architectures` (`SCMP_ARCH_*` names, duplicates dropped); otherwise
//!   the `archMap` entry whose `architecture` is the native ABI
//!   ([`Options::native`], by default the host's [`Abi::NATIVE`]), followed
//!   by its `subArchitectures`; otherwise the native ABI alone. A profile
//!   that has both `architectures` and `archMap` is refused. Unlike
//!   libseccomp, the native ABI is not added to an `architectures` list
//!   that lacks it: the list is taken as written.
//! - The **native ABI** is the first of those. `includes.arches` and
//!   `excludes.arches` (Go architecture names such as `amd64`, `arm64`,
//!   `386`, or any name [`Abi::from_name`] knows) are judged against it
//!   alone: an entry whose `includes.arches` lacks it, or whose
//!   `excludes.arches` has it, is left out. A name no ABI has never matches.
//! - **Capabilities** ([`Options::caps`], none by default; `CAP_` prefix
//!   and case optional): an entry is left out when any of its
//!   `excludes.caps` is given, or any of its `includes.caps` is not.
//! - **`minKernel`** (`"major.minor"`): an entry is left out when the
//!   kernel ([`Options::kernel`]) is older than its `includes.minKernel`,
//!   or not older than its `excludes.minKernel`. A profile that uses
//!   `minKernel` needs the kernel version; without one it is refused.
//! - **Actions**: `SCMP_ACT_KILL` and `SCMP_ACT_KILL_THREAD` (kill the
//!   thread), `SCMP_ACT_KILL_PROCESS`, `SCMP_ACT_TRAP` (data 0),
//!   `SCMP_ACT_ERRNO` (`errnoRet`, or `defaultErrnoRet` for the default
//!   action; EPERM when absent), `SCMP_ACT_TRACE` (the same number as its
//!   data), `SCMP_ACT_ALLOW`, `SCMP_ACT_LOG`, `SCMP_ACT_NOTIFY` (not as the
//!   default action). `errnoRet` is ignored by the other actions.
//! - An entry whose action equals the default action is left out, as
//!   runc does (libseccomp refuses such rules); it could otherwise win
//!   over a rule of lower precedence.
//! - **Arguments**: `SCMP_CMP_NE`, `_LT`, `_LE`, `_EQ`, `_GE`, `_GT` and
//!   `_MASKED_EQ` (`value` is the mask, `valueTwo` the datum), unsigned,
//!   on the whole 64-bit register ([`Width::Full64`]). When one argument
//!   index has more than one condition in an entry, **each condition
//!   becomes a rule of its own** (they are ORed); otherwise the entry's
//!   conditions form one rule (ANDed).
//! - Each name of an entry gets the entry's rules, in order. A name the
//!   crate knows but an ABI lacks is skipped on that ABI (the policy's
//!   [`OnMissing::Skip`](crate::policy::OnMissing::Skip)). A name no ABI
//!   knows is refused, or skipped and listed ([`Profile::skipped`]) with
//!   [`Options::skip_unknown`]; only entries that apply are looked at.
//! - Calls through ABIs the policy does not list get
//!   [`Action::KillProcess`]; libseccomp uses `KILL_THREAD`
//!   (`rules.policy().bad_arch(Action::KillThread)` for that).
//!
//! Unknown fields are ignored and `null` counts as absent. Anything
//! malformed, or that the kernel cannot honour (an errno above 4095, an
//! argument index above 5), is refused with the JSON path of the problem:
//! `syscalls[3].args[0].op: unknown operator "SCMP_CMP_FOO"`.
//!
//! # Why two steps
//!
//! A [`Policy`] borrows its rules, and each rule borrows its conditions.
//! [`Profile`] owns the conditions; [`Profile::rules`] builds the rules
//! that borrow them ([`Rules`]), and [`Rules::policy`] the policy that
//! borrows those.

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use core::fmt;

use serde_json::{Map, Value};

use crate::abi::Abi;
use crate::action::{Action, MAX_ERRNO};
use crate::policy::{Cond, Policy, Rule};
use crate::syscall::Syscall;

#[cfg(doc)]
use crate::policy::Width;

/// EPERM: runc's errno for an ERRNO or TRACE action without `errnoRet`.
const EPERM: u16 = 1;

/// A kernel version as `minKernel` compares it: major and minor only.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct KernelVersion {
    /// The major number (`6` in `6.18`).
    pub major: u32,
    /// The minor number (`18` in `6.18`).
    pub minor: u32,
}

impl KernelVersion {
    /// The version `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Self {
        KernelVersion { major, minor }
    }

    /// Parses `minKernel`'s form, `"major.minor"`, in decimal.
    ///
    /// ```
    /// use seccomp_bpf::oci::KernelVersion;
    /// assert_eq!(KernelVersion::parse("5.8"), Some(KernelVersion::new(5, 8)));
    /// assert_eq!(KernelVersion::parse("5.8.1"), None);
    /// assert_eq!(KernelVersion::parse("5"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        let (major, minor) = s.split_once('.')?;
        Some(KernelVersion {
            major: decimal(major)?,
            minor: decimal(minor)?,
        })
    }

    /// Reads the major and minor numbers at the start of a kernel release
    /// string, as `uname -r` prints it.
    ///
    /// ```
    /// use seccomp_bpf::oci::KernelVersion;
    /// let v = KernelVersion::from_release("6.18.0-1-amd64");
    /// assert_eq!(v, Some(KernelVersion::new(6, 18)));
    /// assert_eq!(KernelVersion::from_release("6.9-rc1"), Some(KernelVersion::new(6, 9)));
    /// assert_eq!(KernelVersion::from_release("linux"), None);
    /// ```
    pub fn from_release(s: &str) -> Option<Self> {
        let (major, rest) = s.split_once('.')?;
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        Some(KernelVersion {
            major: decimal(major)?,
            minor: decimal(rest.get(..end)?)?,
        })
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A non-empty string of ASCII digits as a `u32`.
fn decimal(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// How to read a profile: the ABIs, the capabilities, the kernel version.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Options {
    abis: Vec<Abi>,
    native: Option<Abi>,
    caps: Vec<String>,
    kernel: Option<KernelVersion>,
    skip_unknown: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            abis: Vec::new(),
            native: None,
            caps: Vec::new(),
            kernel: None,
            skip_unknown: true,
        }
    }
}

impl Options {
    /// The defaults: ABIs from the profile, the host's native ABI, no
    /// capabilities, no kernel version, and names no ABI knows skipped
    /// (listed in [`Profile::skipped`]).
    pub fn new() -> Self {
        Options::default()
    }

    /// The policy's ABIs, the first being the native one; the profile's
    /// `architectures` and `archMap` are then not used. An empty list
    /// restores the default.
    pub fn abis(mut self, abis: &[Abi]) -> Self {
        self.abis = abis.to_vec();
        self
    }

    /// The native ABI whose `archMap` entry is used when neither
    /// [`Options::abis`] nor `architectures` give the ABIs (by default
    /// [`Abi::NATIVE`]).
    pub fn native(mut self, abi: Abi) -> Self {
        self.native = Some(abi);
        self
    }

    /// The capabilities the container has (its bounding set), such as
    /// `CAP_SYS_ADMIN`; `SYS_ADMIN` and lower case are accepted too.
    pub fn caps(mut self, caps: &[&str]) -> Self {
        self.caps = caps.iter().map(|c| cap_name(c)).collect();
        self
    }

    /// The kernel version `minKernel` is judged against (the CLI reads the
    /// running kernel's).
    pub fn kernel(mut self, version: KernelVersion) -> Self {
        self.kernel = Some(version);
        self
    }

    /// Whether a system-call name that no ABI of the crate knows is
    /// skipped (and listed in [`Profile::skipped`]) instead of refused.
    ///
    /// Skipping is the default, as it is for a name that exists but not on
    /// one of the policy's ABIs: a call no ABI has cannot be made, so the
    /// filter is exact either way. Profiles carry names of calls removed
    /// from Linux long ago (podman's has `bdflush`, `nfsservctl`, `uselib`
    /// and `query_module`); `false` refuses them with their path, for
    /// checking a profile against this crate's tables.
    pub fn skip_unknown(mut self, skip: bool) -> Self {
        self.skip_unknown = skip;
        self
    }

    fn has_cap(&self, cap: &str) -> bool {
        let cap = cap_name(cap);
        self.caps.contains(&cap)
    }
}

/// A capability name in upper case with its `CAP_` prefix.
fn cap_name(cap: &str) -> String {
    let up = cap.trim().to_ascii_uppercase();
    if up.starts_with("CAP_") {
        up
    } else {
        format!("CAP_{up}")
    }
}

/// Why a profile was refused, and where: [`OciError::path`] is the JSON
/// path of the problem (`syscalls[3].args[0].op`), empty for the whole
/// document.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OciError {
    path: String,
    kind: OciErrorKind,
}

impl OciError {
    fn new(path: &str, kind: OciErrorKind) -> Self {
        OciError {
            path: path.to_string(),
            kind,
        }
    }

    /// The JSON path of the problem, such as `syscalls[3].args[0].op`
    /// (empty for the document as a whole).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong.
    pub fn kind(&self) -> &OciErrorKind {
        &self.kind
    }
}

impl fmt::Display for OciError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.path, self.kind)
        }
    }
}

impl core::error::Error for OciError {}

/// What is wrong with a profile (see [`OciError`]).
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum OciErrorKind {
    /// The text is not JSON.
    Syntax {
        /// The line of the problem, from 1.
        line: usize,
        /// The column of the problem, from 1.
        column: usize,
        /// The JSON parser's message.
        message: String,
    },
    /// A required field is absent (or `null`).
    Missing,
    /// A value of the wrong JSON type.
    WrongType {
        /// What was expected: `"an object"`, `"a string"`, ...
        expected: &'static str,
    },
    /// An action that is no `SCMP_ACT_*` the reader knows.
    UnknownAction(String),
    /// An operator that is no `SCMP_CMP_*` the reader knows.
    UnknownOperator(String),
    /// An architecture name no ABI of the crate has.
    UnknownArch(String),
    /// A system-call name no ABI of the crate has.
    UnknownSyscall(String),
    /// A number above what the kernel takes: an errno above 4095, TRACE
    /// data above 65535, an argument index above 5.
    OutOfRange {
        /// The number given.
        value: u64,
        /// The largest allowed.
        max: u64,
    },
    /// `SCMP_ACT_NOTIFY` as the default action.
    NotifyDefault,
    /// Two fields that exclude each other are both given; this is the
    /// second, the path names the first.
    Conflict(&'static str),
    /// A `minKernel` that is not `"major.minor"`.
    KernelVersion(String),
    /// The profile uses `minKernel` and no kernel version was given.
    NeedKernel,
    /// No ABI: none given, none in the profile, and the host's is unknown.
    NoAbi,
}

impl fmt::Display for OciErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OciErrorKind::Syntax { message, .. } => write!(f, "invalid JSON: {message}"),
            OciErrorKind::Missing => f.write_str("missing"),
            OciErrorKind::WrongType { expected } => write!(f, "expected {expected}"),
            OciErrorKind::UnknownAction(a) => write!(f, "unknown action \"{a}\""),
            OciErrorKind::UnknownOperator(o) => write!(f, "unknown operator \"{o}\""),
            OciErrorKind::UnknownArch(a) => write!(f, "unknown architecture \"{a}\""),
            OciErrorKind::UnknownSyscall(s) => {
                write!(f, "unknown system call \"{s}\" (no ABI has it)")
            }
            OciErrorKind::OutOfRange { value, max } => write!(f, "{value} is above {max}"),
            OciErrorKind::NotifyDefault => {
                f.write_str("SCMP_ACT_NOTIFY cannot be the default action")
            }
            OciErrorKind::Conflict(other) => write!(f, "cannot be given with \"{other}\""),
            OciErrorKind::KernelVersion(v) => {
                write!(f, "kernel version \"{v}\" is not \"major.minor\"")
            }
            OciErrorKind::NeedKernel => f.write_str("the kernel version is needed"),
            OciErrorKind::NoAbi => {
                f.write_str("no ABI: none given, none in the profile, and the host's is unknown")
            }
        }
    }
}

/// A system-call name that [`Options::skip_unknown`] left out.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Skipped {
    /// The name.
    pub name: String,
    /// Where it was, such as `syscalls[0].names[6]`.
    pub path: String,
}

/// One rule of the profile, before it borrows its conditions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Spec {
    call: Syscall,
    conds: (usize, usize),
    action: Action,
    entry: usize,
    name: usize,
}

/// A profile read for one set of ABIs, capabilities and kernel version:
/// the rules that apply, owned. [`Profile::rules`] hands out the rules and
/// [`Rules::policy`] the policy.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Profile {
    default: Action,
    abis: Vec<Abi>,
    conds: Vec<Cond<'static>>,
    specs: Vec<Spec>,
    skipped: Vec<Skipped>,
}

/// The rules of a [`Profile`], borrowing its conditions; [`Rules::policy`]
/// is the policy over them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Rules<'a> {
    profile: &'a Profile,
    rules: Vec<Rule<'a>>,
}

impl<'a> Rules<'a> {
    /// The policy: the profile's default action and ABIs, these rules,
    /// calls through other ABIs killed ([`Action::KillProcess`]).
    pub fn policy(&self) -> Policy<'_> {
        Policy::new(self.profile.default, &self.profile.abis, &self.rules)
    }

    /// The rules, in profile order.
    pub fn as_slice(&self) -> &[Rule<'a>] {
        &self.rules
    }
}

impl Profile {
    /// Reads a profile from its JSON text.
    ///
    /// # Errors
    ///
    /// An [`OciError`] with the JSON path of the first problem: not JSON,
    /// a missing or mistyped field, an unknown action, operator,
    /// architecture or (without [`Options::skip_unknown`]) system call, a
    /// number out of the kernel's range, `minKernel` without
    /// [`Options::kernel`], or no ABI at all.
    pub fn from_json(text: &str, options: &Options) -> Result<Profile, OciError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            OciError::new(
                "",
                OciErrorKind::Syntax {
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                },
            )
        })?;
        Profile::from_value(&value, options)
    }

    /// Reads a profile already parsed as a JSON value.
    ///
    /// # Errors
    ///
    /// As [`Profile::from_json`], but for syntax.
    pub fn from_value(value: &Value, options: &Options) -> Result<Profile, OciError> {
        let root = object(value, "")?;
        let default = default_action(root)?;
        let abis = abis(root, options)?;
        let native = abis
            .first()
            .copied()
            .ok_or_else(|| OciError::new("", OciErrorKind::NoAbi))?;
        let mut profile = Profile {
            default,
            abis,
            conds: Vec::new(),
            specs: Vec::new(),
            skipped: Vec::new(),
        };
        if let Some(list) = field(root, "syscalls") {
            for (i, entry) in array(list, "syscalls")?.iter().enumerate() {
                profile.entry(entry, i, native, options)?;
            }
        }
        Ok(profile)
    }

    /// Reads entry `i` of `syscalls` and adds its rules if it applies.
    fn entry(
        &mut self,
        entry: &Value,
        i: usize,
        native: Abi,
        options: &Options,
    ) -> Result<(), OciError> {
        let path = format!("syscalls[{i}]");
        let obj = object(entry, &path)?;
        let names = names(obj, &path)?;
        let action = rule_action(obj, &path)?;
        let conds = args(obj, &path)?;
        let included = match field(obj, "includes") {
            Some(v) => Guard::read(v, &join(&path, "includes"))?.includes(native, options)?,
            None => true,
        };
        let excluded = match field(obj, "excludes") {
            Some(v) => Guard::read(v, &join(&path, "excludes"))?.excludes(native, options)?,
            None => false,
        };
        if !included || excluded || action == self.default {
            return Ok(());
        }
        // runc: when an argument index repeats, every condition is a rule
        // of its own; otherwise one rule holds them all.
        let mut seen = [0u8; 6];
        for c in &conds {
            if let Some(n) = seen.get_mut(usize::from(c.arg)) {
                *n = n.saturating_add(1);
            }
        }
        let mut sets = Vec::new();
        let start = self.conds.len();
        if seen.iter().any(|&n| n > 1) {
            for (k, c) in conds.iter().enumerate() {
                sets.push((start + k, start + k + 1));
                self.conds.push(*c);
            }
        } else {
            sets.push((start, start + conds.len()));
            self.conds.extend_from_slice(&conds);
        }
        for (j, (name, name_path)) in names.iter().enumerate() {
            let Some(call) = Syscall::from_name(name) else {
                if options.skip_unknown {
                    self.skipped.push(Skipped {
                        name: name.to_string(),
                        path: name_path.clone(),
                    });
                    continue;
                }
                return Err(OciError::new(
                    name_path,
                    OciErrorKind::UnknownSyscall(name.to_string()),
                ));
            };
            for &set in &sets {
                self.specs.push(Spec {
                    call,
                    conds: set,
                    action,
                    entry: i,
                    name: j,
                });
            }
        }
        Ok(())
    }

    /// The rules, borrowing the profile's conditions; their
    /// [`Rules::policy`] is the policy.
    pub fn rules(&self) -> Rules<'_> {
        let rules = self
            .specs
            .iter()
            .map(|s| {
                let conds = self.conds.get(s.conds.0..s.conds.1).unwrap_or(&[]);
                Rule::when(s.call, conds, s.action)
            })
            .collect();
        Rules {
            profile: self,
            rules,
        }
    }

    /// The default action.
    pub fn default_action(&self) -> Action {
        self.default
    }

    /// The ABIs, the native one first.
    pub fn abis(&self) -> &[Abi] {
        &self.abis
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Whether no rule applies (every call gets the default action).
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Where rule `index` (of [`Profile::rules`], as a
    /// [`CompileError`](crate::CompileError) counts them) comes from:
    /// the JSON path of its name, such as `syscalls[3].names[1]`.
    pub fn rule_path(&self, index: usize) -> Option<String> {
        let s = self.specs.get(index)?;
        Some(format!("syscalls[{}].names[{}]", s.entry, s.name))
    }

    /// The names [`Options::skip_unknown`] left out, in profile order.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }
}

/// `path.key`, or `key` at the root.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A field, `None` when absent or `null`.
fn field<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => Some(v),
    }
}

fn wrong(path: &str, expected: &'static str) -> OciError {
    OciError::new(path, OciErrorKind::WrongType { expected })
}

fn object<'v>(v: &'v Value, path: &str) -> Result<&'v Map<String, Value>, OciError> {
    v.as_object().ok_or_else(|| wrong(path, "an object"))
}

fn array<'v>(v: &'v Value, path: &str) -> Result<&'v [Value], OciError> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| wrong(path, "an array"))
}

fn string<'v>(v: &'v Value, path: &str) -> Result<&'v str, OciError> {
    v.as_str().ok_or_else(|| wrong(path, "a string"))
}

fn number(v: &Value, path: &str) -> Result<u64, OciError> {
    v.as_u64()
        .ok_or_else(|| wrong(path, "an integer from 0 to 2^64-1"))
}

/// A required field.
fn required<'v>(obj: &'v Map<String, Value>, path: &str, key: &str) -> Result<&'v Value, OciError> {
    field(obj, key).ok_or_else(|| OciError::new(&join(path, key), OciErrorKind::Missing))
}

/// An optional array of strings, with the path of each.
fn strings<'v>(
    obj: &'v Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Vec<(&'v str, String)>, OciError> {
    let Some(v) = field(obj, key) else {
        return Ok(Vec::new());
    };
    let path = join(path, key);
    array(v, &path)?
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = format!("{path}[{i}]");
            string(s, &p).map(|s| (s, p))
        })
        .collect()
}

/// An ABI by `SCMP_ARCH_*` or Go architecture name.
fn arch(name: &str) -> Option<Abi> {
    match name {
        "386" => Some(Abi::X86),
        _ => Abi::from_name(name),
    }
}

fn known_arch(name: &str, path: &str) -> Result<Abi, OciError> {
    arch(name).ok_or_else(|| OciError::new(path, OciErrorKind::UnknownArch(name.to_string())))
}

/// An action and its number (`errnoRet`), checked against what the kernel
/// can return.
fn action(name: &str, path: &str, ret: Option<(u64, String)>) -> Result<Action, OciError> {
    let data = |max: u64| -> Result<u16, OciError> {
        match &ret {
            None => Ok(EPERM),
            Some((v, p)) if *v > max => Err(OciError::new(
                p,
                OciErrorKind::OutOfRange { value: *v, max },
            )),
            Some((v, p)) => u16::try_from(*v)
                .map_err(|_| OciError::new(p, OciErrorKind::OutOfRange { value: *v, max })),
        }
    };
    Ok(match name {
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Action::KillThread,
        "SCMP_ACT_KILL_PROCESS" => Action::KillProcess,
        "SCMP_ACT_TRAP" => Action::Trap(0),
        "SCMP_ACT_ERRNO" => Action::Errno(data(u64::from(MAX_ERRNO))?),
        "SCMP_ACT_TRACE" => Action::Trace(data(u64::from(u16::MAX))?),
        "SCMP_ACT_ALLOW" => Action::Allow,
        "SCMP_ACT_LOG" => Action::Log,
        "SCMP_ACT_NOTIFY" => Action::UserNotif,
        _ => {
            return Err(OciError::new(
                path,
                OciErrorKind::UnknownAction(name.to_string()),
            ));
        }
    })
}

/// An action field `key` with its number field `ret_key` in `obj`.
fn action_field(
    obj: &Map<String, Value>,
    path: &str,
    key: &str,
    ret_key: &str,
) -> Result<Action, OciError> {
    let action_path = join(path, key);
    let name = string(required(obj, path, key)?, &action_path)?;
    let ret = match field(obj, ret_key) {
        Some(v) => {
            let p = join(path, ret_key);
            Some((number(v, &p)?, p))
        }
        None => None,
    };
    action(name, &action_path, ret)
}

fn default_action(root: &Map<String, Value>) -> Result<Action, OciError> {
    let a = action_field(root, "", "defaultAction", "defaultErrnoRet")?;
    if a == Action::UserNotif {
        return Err(OciError::new("defaultAction", OciErrorKind::NotifyDefault));
    }
    Ok(a)
}

fn rule_action(obj: &Map<String, Value>, path: &str) -> Result<Action, OciError> {
    action_field(obj, path, "action", "errnoRet")
}

/// The ABIs the policy covers (see the module docs).
fn abis(root: &Map<String, Value>, options: &Options) -> Result<Vec<Abi>, OciError> {
    let mut listed = Vec::new();
    for (name, p) in strings(root, "", "architectures")? {
        let abi = known_arch(name, &p)?;
        if !listed.contains(&abi) {
            listed.push(abi);
        }
    }
    let native = options.native.or(Abi::NATIVE);
    let mut mapped = None;
    if let Some(map) = field(root, "archMap") {
        if field(root, "architectures").is_some() {
            return Err(OciError::new(
                "archMap",
                OciErrorKind::Conflict("architectures"),
            ));
        }
        for (i, entry) in array(map, "archMap")?.iter().enumerate() {
            let path = format!("archMap[{i}]");
            let obj = object(entry, &path)?;
            let main_path = join(&path, "architecture");
            let main = string(required(obj, &path, "architecture")?, &main_path)?;
            let subs = strings(obj, &path, "subArchitectures")?;
            if mapped.is_some() || native.is_none() || arch(main) != native {
                continue;
            }
            let mut abis = Vec::new();
            abis.extend(native);
            for (name, p) in subs {
                let abi = known_arch(name, &p)?;
                if !abis.contains(&abi) {
                    abis.push(abi);
                }
            }
            mapped = Some(abis);
        }
    }
    if !options.abis.is_empty() {
        return Ok(options.abis.clone());
    }
    if !listed.is_empty() {
        return Ok(listed);
    }
    if let Some(abis) = mapped {
        return Ok(abis);
    }
    Ok(native.into_iter().collect())
}

/// An entry's names, from `names` or the older single `name`.
fn names(obj: &Map<String, Value>, path: &str) -> Result<Vec<(String, String)>, OciError> {
    if let Some(v) = field(obj, "name") {
        let p = join(path, "name");
        if field(obj, "names").is_some() {
            return Err(OciError::new(&p, OciErrorKind::Conflict("names")));
        }
        return Ok(std::vec![(string(v, &p)?.to_string(), p)]);
    }
    required(obj, path, "names")?;
    Ok(strings(obj, path, "names")?
        .into_iter()
        .map(|(n, p)| (n.to_string(), p))
        .collect())
}

/// An entry's conditions, in order.
fn args(obj: &Map<String, Value>, path: &str) -> Result<Vec<Cond<'static>>, OciError> {
    let Some(list) = field(obj, "args") else {
        return Ok(Vec::new());
    };
    let path = join(path, "args");
    let mut conds = Vec::new();
    for (k, arg) in array(list, &path)?.iter().enumerate() {
        let path = format!("{path}[{k}]");
        let a = object(arg, &path)?;
        let index_path = join(&path, "index");
        let index = number(required(a, &path, "index")?, &index_path)?;
        let index = match u8::try_from(index) {
            Ok(i) if i <= 5 => i,
            _ => {
                return Err(OciError::new(
                    &index_path,
                    OciErrorKind::OutOfRange {
                        value: index,
                        max: 5,
                    },
                ));
            }
        };
        let value = number(required(a, &path, "value")?, &join(&path, "value"))?;
        let two = match field(a, "valueTwo") {
            Some(v) => number(v, &join(&path, "valueTwo"))?,
            None => 0,
        };
        let op_path = join(&path, "op");
        let op = string(required(a, &path, "op")?, &op_path)?;
        conds.push(match op {
            "SCMP_CMP_NE" => Cond::ne(index, value),
            "SCMP_CMP_LT" => Cond::lt(index, value),
            "SCMP_CMP_LE" => Cond::le(index, value),
            "SCMP_CMP_EQ" => Cond::eq(index, value),
            "SCMP_CMP_GE" => Cond::ge(index, value),
            "SCMP_CMP_GT" => Cond::gt(index, value),
            "SCMP_CMP_MASKED_EQ" => Cond::masked_eq(index, value, two),
            _ => {
                return Err(OciError::new(
                    &op_path,
                    OciErrorKind::UnknownOperator(op.to_string()),
                ));
            }
        });
    }
    Ok(conds)
}

/// An entry's `includes` or `excludes`.
struct Guard<'v> {
    path: String,
    arches: Vec<&'v str>,
    caps: Vec<&'v str>,
    min_kernel: Option<KernelVersion>,
}

impl<'v> Guard<'v> {
    fn read(v: &'v Value, path: &str) -> Result<Guard<'v>, OciError> {
        let obj = object(v, path)?;
        let min_kernel =
            match field(obj, "minKernel") {
                Some(k) => {
                    let p = join(path, "minKernel");
                    let s = string(k, &p)?;
                    Some(KernelVersion::parse(s).ok_or_else(|| {
                        OciError::new(&p, OciErrorKind::KernelVersion(s.to_string()))
                    })?)
                }
                None => None,
            };
        Ok(Guard {
            path: path.to_string(),
            arches: strings(obj, path, "arches")?
                .into_iter()
                .map(|a| a.0)
                .collect(),
            caps: strings(obj, path, "caps")?
                .into_iter()
                .map(|c| c.0)
                .collect(),
            min_kernel,
        })
    }

    /// The running kernel is at least `minKernel` (`None` without one).
    fn kernel_at_least(&self, options: &Options) -> Result<Option<bool>, OciError> {
        let Some(min) = self.min_kernel else {
            return Ok(None);
        };
        match options.kernel {
            Some(k) => Ok(Some(k >= min)),
            None => Err(OciError::new(
                &join(&self.path, "minKernel"),
                OciErrorKind::NeedKernel,
            )),
        }
    }

    fn has_native(&self, native: Abi) -> bool {
        self.arches.iter().any(|a| arch(a) == Some(native))
    }

    /// As `includes`: whether the entry may apply.
    fn includes(&self, native: Abi, options: &Options) -> Result<bool, OciError> {
        let kernel = self.kernel_at_least(options)?;
        Ok((self.arches.is_empty() || self.has_native(native))
            && self.caps.iter().all(|c| options.has_cap(c))
            && kernel != Some(false))
    }

    /// As `excludes`: whether the entry is left out.
    fn excludes(&self, native: Abi, options: &Options) -> Result<bool, OciError> {
        let kernel = self.kernel_at_least(options)?;
        Ok(self.has_native(native)
            || self.caps.iter().any(|c| options.has_cap(c))
            || kernel == Some(true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const X64: &[Abi] = &[Abi::X86_64];

    fn read(json: &str, opts: &Options) -> Result<Profile, OciError> {
        Profile::from_json(json, opts)
    }

    fn x64() -> Options {
        Options::new().abis(X64)
    }

    #[test]
    fn kernel_versions() {
        assert_eq!(
            KernelVersion::parse("4.14"),
            Some(KernelVersion::new(4, 14))
        );
        assert_eq!(KernelVersion::parse("4."), None);
        assert_eq!(KernelVersion::parse(".4"), None);
        assert_eq!(KernelVersion::parse("+4.1"), None);
        assert_eq!(KernelVersion::parse("4.x"), None);
        assert_eq!(KernelVersion::parse("99999999999.1"), None);
        assert!(KernelVersion::new(5, 10) > KernelVersion::new(5, 9));
        assert!(KernelVersion::new(6, 0) > KernelVersion::new(5, 19));
        assert_eq!(
            KernelVersion::from_release("6.18.0+"),
            Some(KernelVersion::new(6, 18))
        );
        assert_eq!(KernelVersion::from_release("6.x"), None);
        assert_eq!(KernelVersion::new(6, 18).to_string(), "6.18");
    }

    #[test]
    fn caps_are_normalised() {
        let o = Options::new().caps(&["sys_admin", "CAP_NET_RAW"]);
        assert!(o.has_cap("CAP_SYS_ADMIN"));
        assert!(o.has_cap("net_raw"));
        assert!(!o.has_cap("CAP_SYS_CHROOT"));
    }

    #[test]
    fn default_errno_and_trace_data() {
        let p = read(r#"{"defaultAction":"SCMP_ACT_ERRNO"}"#, &x64()).unwrap();
        assert_eq!(p.default_action(), Action::Errno(1));
        let p = read(
            r#"{"defaultAction":"SCMP_ACT_TRACE","defaultErrnoRet":4242}"#,
            &x64(),
        )
        .unwrap();
        assert_eq!(p.default_action(), Action::Trace(4242));
        let p = read(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":99999}"#,
            &x64(),
        )
        .unwrap();
        assert_eq!(p.default_action(), Action::Allow);
    }
}
