//! The syscall groups: the generated Rust against `arch/groups.txt`, that
//! file against a fresh `systemd-analyze syscall-filter`, and what a user
//! relies on (nesting, well-known members, per-ABI resolution).

#[path = "../tools/gen_groups.rs"]
mod gen_groups;

use seccomp_bpf::groups::{self, SYSTEMD_VERSION};
use seccomp_bpf::{Abi, Group, Syscall};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn groups_file() -> gen_groups::GroupsFile {
    gen_groups::read_groups(root()).unwrap_or_else(|e| panic!("{e}"))
}

/// Regenerates `src/groups/generated.rs` and fails on any difference; with
/// `SECCOMP_BPF_BLESS=1` rewrites it instead.
#[test]
fn generated_rust_matches_groups_file() {
    let (committed, fresh) = gen_groups::regenerate(root()).unwrap_or_else(|e| panic!("{e}"));
    let path = root().join(gen_groups::GENERATED);
    if std::env::var_os("SECCOMP_BPF_BLESS").is_some_and(|v| v == "1") {
        if committed.as_deref() != Some(fresh.as_str()) {
            std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            eprintln!("blessed: rewrote {}", path.display());
        }
        return;
    }
    let committed = committed.unwrap_or_else(|| panic!("{} is missing", path.display()));
    if committed != fresh {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        panic!(
            "{} differs from what arch/groups.txt generates, first at line {}:\n  committed: {:?}\n  generated: {:?}\n\
             rerun with SECCOMP_BPF_BLESS=1 to rewrite it",
            gen_groups::GENERATED,
            line + 1,
            committed.lines().nth(line),
            fresh.lines().nth(line),
        );
    }
}

/// The flattened names of every group through the Rust API: calls and
/// foreign names together.
fn api_names(group: Group) -> BTreeSet<String> {
    group
        .members()
        .iter()
        .map(|s| s.name().to_owned())
        .chain(group.foreign_names().iter().map(|&n| n.to_owned()))
        .collect()
}

/// The Rust API has the groups of `arch/groups.txt`, in its order, with
/// its descriptions, extensions, and resolved members.
#[test]
fn api_matches_groups_file() {
    let file = groups_file();
    assert_eq!(file.version, SYSTEMD_VERSION);
    let names: Vec<&str> = file.groups.iter().map(|g| g.name.as_str()).collect();
    let api: Vec<&str> = Group::ALL.iter().map(|g| g.name()).collect();
    assert_eq!(api, names);
    let resolved = gen_groups::resolve(&file, true).unwrap();
    for ((def, res), &group) in file.groups.iter().zip(&resolved).zip(Group::ALL) {
        assert_eq!(group.description(), def.description, "{group}");
        assert_eq!(group.is_extension(), def.extension.is_some(), "{group}");
        let added: Vec<&str> = def
            .members
            .iter()
            .filter(|m| m.extension.is_some())
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(group.extensions(), added.as_slice(), "{group}");
        assert_eq!(api_names(group), res.calls, "{group}");
        let includes: Vec<&str> = group.includes().iter().map(|g| g.name()).collect();
        assert_eq!(includes, res.includes, "{group}");
        // A foreign name is no call anywhere; a member is on some ABI.
        for &name in group.foreign_names() {
            assert_eq!(Syscall::from_name(name), None, "{group} {name}");
        }
        for &call in group.members() {
            assert!(
                Abi::ALL.iter().any(|&abi| call.nr(abi).is_some()),
                "{group} {call} is on no ABI"
            );
        }
    }
}

/// Every extension is named in the module docs, so they cannot drift.
#[test]
fn extensions_are_documented() {
    let source = std::fs::read_to_string(root().join("src/groups.rs")).unwrap();
    let docs: String = source
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let section = docs
        .split_once("# Extensions beyond systemd")
        .map(|(_, rest)| rest)
        .expect("the module docs have an extensions section");
    let mut count = 0;
    for &group in Group::ALL {
        if group.extensions().is_empty() {
            continue;
        }
        let line = format!("`{}`", group.name());
        let start = section
            .find(&line)
            .unwrap_or_else(|| panic!("{group} is not in the extensions section"));
        let rest = &section[start..];
        let end = rest[1..].find("\n- ").map_or(rest.len(), |e| e + 1);
        let item = &rest[..end];
        for &name in group.extensions() {
            assert!(
                item.contains(&format!("`{name}`")),
                "{group}: extension {name} is not documented"
            );
            count += 1;
        }
    }
    assert!(count > 0, "no extension at all");
}

/// One group of `systemd-analyze syscall-filter` output.
#[derive(Debug, PartialEq)]
struct Printed {
    description: String,
    members: BTreeSet<String>,
}

/// Parses the output of `systemd-analyze syscall-filter`, written here
/// apart from the import script so that the two check each other.
fn parse_printed(text: &str) -> Vec<(String, Printed)> {
    let mut out: Vec<(String, Printed)> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix('@') {
            out.push((
                format!("@{}", name.trim()),
                Printed {
                    description: String::new(),
                    members: BTreeSet::new(),
                },
            ));
            open = true;
        } else if line.trim().is_empty() || line.starts_with('#') {
            open = false;
        } else if let (true, Some(item)) = (open, line.strip_prefix("    ")) {
            let (_, group) = out.last_mut().unwrap();
            match item.strip_prefix("# ") {
                Some(desc) => group.description = desc.to_owned(),
                None => assert!(group.members.insert(item.trim().to_owned()), "{item} twice"),
            }
        } else {
            panic!("unexpected line {line:?}");
        }
    }
    out
}

fn flatten(groups: &BTreeMap<&str, &Printed>, name: &str, out: &mut BTreeSet<String>) {
    for m in &groups[name].members {
        if m.starts_with('@') {
            flatten(groups, m, out);
        } else {
            out.insert(m.clone());
        }
    }
}

/// The groups equal a fresh `systemd-analyze syscall-filter` from the
/// systemd release `arch/groups.txt` was made from, less the extensions:
/// same groups in the same order, descriptions, direct members and,
/// through the Rust API, flattened members.
#[test]
fn groups_match_fresh_systemd_analyze() {
    let version = match Command::new("systemd-analyze").arg("--version").output() {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
        other => {
            println!("skipped: systemd-analyze cannot run here ({other:?})");
            return;
        }
    };
    let major = version
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("systemd "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or("");
    let ours = SYSTEMD_VERSION.split(' ').next().unwrap();
    if major != ours {
        println!("skipped: systemd-analyze is systemd {major}, arch/groups.txt is from {ours}");
        return;
    }
    let out = Command::new("systemd-analyze")
        .arg("syscall-filter")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "systemd-analyze syscall-filter failed"
    );
    let printed = parse_printed(&String::from_utf8(out.stdout).unwrap());
    assert!(printed.len() > 25, "{} groups printed", printed.len());

    // The file's base, line by line.
    let file = groups_file();
    let base: Vec<(String, Printed)> = file
        .groups
        .iter()
        .filter(|g| g.extension.is_none())
        .map(|g| {
            let members = g
                .members
                .iter()
                .filter(|m| m.extension.is_none())
                .map(|m| m.name.clone())
                .collect();
            (
                g.name.clone(),
                Printed {
                    description: g.description.clone(),
                    members,
                },
            )
        })
        .collect();
    let base_names: Vec<&str> = base.iter().map(|(n, _)| n.as_str()).collect();
    let printed_names: Vec<&str> = printed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        base_names, printed_names,
        "groups of arch/groups.txt less its extensions"
    );
    for ((name, ours), (_, theirs)) in base.iter().zip(&printed) {
        assert_eq!(ours.description, theirs.description, "{name}");
        let missing: Vec<_> = theirs.members.difference(&ours.members).collect();
        let extra: Vec<_> = ours.members.difference(&theirs.members).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{name} in arch/groups.txt less its extensions: lacks {missing:?}, has {extra:?} too"
        );
    }

    // The Rust API: flattened printed members, plus the extensions.
    let by_name: BTreeMap<&str, &Printed> = printed.iter().map(|(n, p)| (n.as_str(), p)).collect();
    let without = gen_groups::resolve(&file, false).unwrap();
    let mut checked = 0;
    for res in without {
        let group = Group::from_name(&res.name).unwrap();
        let mut want = BTreeSet::new();
        flatten(&by_name, &res.name, &mut want);
        assert_eq!(res.calls, want, "{group} without extensions");
        // Only the extensions (direct, or through an included group) add.
        let api = api_names(group);
        assert!(api.is_superset(&want), "{group} lost members");
        for extra in api.difference(&want) {
            let reached = std::iter::once(group)
                .chain(Group::ALL.iter().copied().filter(|g| {
                    g.members().iter().all(|&s| group.contains(s))
                        && g.foreign_names()
                            .iter()
                            .all(|n| group.foreign_names().contains(n))
                }))
                .any(|g| g.extensions().contains(&extra.as_str()) || g.is_extension());
            assert!(
                reached,
                "{group}: {extra} is neither printed nor an extension"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, printed.len());
    println!("checked {checked} groups against systemd-analyze {major}");
}

fn assert_subset(inner: Group, outer: Group) {
    for &call in inner.members() {
        assert!(outer.contains(call), "{outer} lacks {call} of {inner}");
    }
    for name in inner.foreign_names() {
        assert!(
            outer.foreign_names().contains(name),
            "{outer} lacks {name} of {inner}"
        );
    }
}

#[test]
fn nested_groups_are_subsets() {
    for &group in Group::ALL {
        for &inner in group.includes() {
            assert_subset(inner, group);
        }
    }
    for inner in [
        Group::Aio,
        Group::BasicIo,
        Group::Chown,
        Group::Default,
        Group::FileSystem,
        Group::IoEvent,
        Group::Ipc,
        Group::Keyring,
        Group::Memlock,
        Group::NetworkIo,
        Group::Process,
        Group::Resources,
        Group::Setuid,
        Group::Signal,
        Group::Sync,
        Group::Timer,
    ] {
        assert!(Group::SystemService.includes().contains(&inner), "{inner}");
        assert_subset(inner, Group::SystemService);
    }
    for inner in [
        Group::Chown,
        Group::Clock,
        Group::Module,
        Group::RawIo,
        Group::Reboot,
        Group::Swap,
    ] {
        assert_subset(inner, Group::Privileged);
    }
    assert_subset(Group::Obsolete, Group::Known);
    assert_subset(Group::Sandbox, Group::Default);
    // Strict: the parent has calls of its own.
    assert!(Group::SystemService.members().len() > Group::BasicIo.members().len());
    assert!(Group::SystemService.contains(Syscall::ioctl));
    assert!(!Group::BasicIo.contains(Syscall::ioctl));
}

#[test]
fn well_known_members() {
    let cases: &[(Group, &[Syscall])] = &[
        (
            Group::BasicIo,
            &[Syscall::read, Syscall::write, Syscall::close],
        ),
        (
            Group::NetworkIo,
            &[Syscall::socket, Syscall::connect, Syscall::sendmsg],
        ),
        (
            Group::Clock,
            &[Syscall::settimeofday, Syscall::clock_settime],
        ),
        (
            Group::FileSystem,
            &[Syscall::openat, Syscall::statx, Syscall::fchmodat2],
        ),
        (
            Group::Default,
            &[Syscall::exit_group, Syscall::futex, Syscall::mseal],
        ),
        (
            Group::Mount,
            &[Syscall::mount, Syscall::open_tree, Syscall::open_tree_attr],
        ),
        (Group::Reboot, &[Syscall::reboot, Syscall::kexec_load]),
        (
            Group::Sandbox,
            &[Syscall::seccomp, Syscall::landlock_create_ruleset],
        ),
        (
            Group::Known,
            &[Syscall::read, Syscall::cachestat, Syscall::uretprobe],
        ),
    ];
    for &(group, calls) in cases {
        for &call in calls {
            assert!(group.contains(call), "{group} lacks {call}");
            assert!(group.members().contains(&call), "{group} lacks {call}");
        }
    }
    let absent: &[(Group, Syscall)] = &[
        (Group::BasicIo, Syscall::socket),
        (Group::NetworkIo, Syscall::read),
        (Group::Clock, Syscall::clock_gettime),
        (Group::Default, Syscall::cachestat),
        (Group::Default, Syscall::futex_wake),
        (Group::SystemService, Syscall::reboot),
        (Group::SystemService, Syscall::mount),
    ];
    for &(group, call) in absent {
        assert!(!group.contains(call), "{group} has {call}");
    }
    // Names systemd lists that none of our ABIs has are kept, not dropped.
    assert!(Group::Obsolete.foreign_names().contains(&"_sysctl"));
    assert!(Group::Privileged.foreign_names().contains(&"nfsservctl"));
    assert!(
        Group::Known
            .foreign_names()
            .iter()
            .any(|n| n.starts_with("osf_"))
    );
}

#[test]
fn members_on_resolves_per_abi() {
    let on: Vec<(Syscall, u32)> = groups::members_on(Group::BasicIo, Abi::X86_64).collect();
    assert!(on.contains(&(Syscall::read, 0)));
    assert!(on.contains(&(Syscall::write, 1)));
    assert!(on.contains(&(Syscall::close, 3)));
    // x86_64 has no _llseek (it is i386's), nor llseek.
    assert_eq!(Syscall::_llseek.nr(Abi::X86_64), None);
    assert!(Group::BasicIo.contains(Syscall::_llseek));
    assert!(!on.iter().any(|&(s, _)| s == Syscall::_llseek));
    let lacking: Vec<Syscall> = Group::BasicIo
        .members()
        .iter()
        .copied()
        .filter(|s| s.nr(Abi::X86_64).is_none())
        .collect();
    assert!(!lacking.is_empty());
    assert_eq!(on.len() + lacking.len(), Group::BasicIo.members().len());
    for &(call, nr) in &on {
        assert_eq!(call.nr(Abi::X86_64), Some(nr), "{call}");
    }
    // i386 has _llseek, at 140.
    assert!(
        Group::BasicIo
            .members_on(Abi::X86)
            .any(|p| p == (Syscall::_llseek, 140))
    );
    // x32 numbers carry the x32 bit.
    assert!(
        Group::NetworkIo
            .members_on(Abi::X32)
            .all(|(_, nr)| nr & 0x4000_0000 != 0)
    );
    // aarch64 has no socketcall, x86 does.
    assert!(
        !Group::NetworkIo
            .members_on(Abi::Aarch64)
            .any(|(s, _)| s == Syscall::socketcall)
    );
    assert!(
        Group::NetworkIo
            .members_on(Abi::X86)
            .any(|(s, _)| s == Syscall::socketcall)
    );
}

/// Everything is usable in const context.
#[test]
fn const_use() {
    const G: Option<Group> = Group::from_name("basic-io");
    const HAS: bool = Group::BasicIo.contains(Syscall::read);
    const N: usize = Group::SystemService.count_on(Abi::Aarch64);
    const MEMBERS: &[Syscall] = Group::Clock.members();
    const NAME: &str = Group::IoEvent.name();
    assert_eq!(G, Some(Group::BasicIo));
    const { assert!(HAS) };
    assert_eq!(N, Group::SystemService.members_on(Abi::Aarch64).count());
    const { assert!(N > 250) };
    assert!(MEMBERS.contains(&Syscall::adjtimex));
    assert_eq!(NAME, "@io-event");
}
