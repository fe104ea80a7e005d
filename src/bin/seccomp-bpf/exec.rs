//! `exec` (run a command under an OCI profile, optionally reporting what
//! it refuses) and `learn` (record what a command calls and write a
//! profile for it).
//!
//! # How the processes fit together
//!
//! `exec` without `--report` installs the filter in this very process and
//! replaces it with the command: everything is prepared first (profile,
//! filter, the command's path, argv and envp as C strings), then
//! no_new_privs, the filter, and `execve` is the only call made under it.
//!
//! `exec --report` and `learn` need a supervisor outside the filter. This
//! process stays the supervisor and spawns itself again as a helper
//! (`__report-child` / `__learn-child`), which prepares the same way,
//! installs the filter with a listener and execs the command, so the
//! command keeps the helper's pid and this process is its parent. The
//! listener is a close-on-exec descriptor of the helper: the supervisor
//! copies it with `pidfd_getfd` (it finds the number in /proc/PID/fd)
//! while the helper is blocked in a notified call made right after the
//! install, before `execve`:
//!
//! - with `learn` every call is notified, `execve` included;
//! - with `--report` the filter also notifies a rendezvous call (a number
//!   no kernel assigns), which the helper makes first; the supervisor
//!   answers it once it holds the listener.
//!
//! The supervisor then answers until the filter has no users (every
//! process of the command is gone) and ends as the command ended: the
//! same exit code, or death by the same signal.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{CStr, CString, OsStr, OsString, c_char};
use std::io::Write;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use seccomp_bpf::compile::MAX_LEN;
use seccomp_bpf::install::{self, FilterFlags, Listener};
use seccomp_bpf::notify::{Notification, Ready, Reply};
use seccomp_bpf::oci::{KernelVersion, OciErrorKind, Options, Profile};
use seccomp_bpf::policy::Target;
use seccomp_bpf::sys::{self, Errno, notify::CStrArray};
use seccomp_bpf::{Abi, Action, Filter, Policy, Rule, Syscall, bpf, compile};

use super::{Fail, Opts, Result, usage};

/// The argument of the rendezvous call, so the supervisor knows its own.
const RENDEZVOUS_COOKIE: u64 = 0x5ecc_0b9f;

/// SIGPIPE's number on the architectures the CLI runs on (mips: 13 too).
const SIGPIPE: i32 = 13;

/// Entry point for `exec`, `learn` and the helpers' commands.
pub(crate) fn run(cmd: &str, rest: &[String]) -> Result<()> {
    let (opts, command) = match rest.iter().position(|a| a == "--") {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let report = opts.iter().any(|a| a == "--report");
    let opts: Vec<String> = opts.iter().filter(|a| *a != "--report").cloned().collect();
    let mut opts = Opts::parse(&opts)?;
    if command.is_empty() {
        return Err(usage(format!("{cmd}: no command given after `--`")));
    }
    match cmd {
        "exec" => {
            let setup = ExecSetup::parse(&mut opts)?;
            if report {
                report_supervisor(&setup, rest, command)
            } else {
                exec_plain(&setup, command)
            }
        }
        "__report-child" => {
            let setup = ExecSetup::parse(&mut opts)?;
            report_child(&setup, command)
        }
        "learn" | "__learn-child" => {
            let out = opts.value("--output")?;
            let abis = match opts.value("--abi")? {
                Some(list) => abi_list(&list)?,
                None => host_abis(),
            };
            opts.done()?;
            if report {
                return Err(usage("learn: --report is an option of exec"));
            }
            if cmd == "learn" {
                let out = out.ok_or_else(|| usage("learn: -o PROFILE.json is required"))?;
                learn_supervisor(&abis, &out, rest, command)
            } else {
                learn_child(&abis, command)
            }
        }
        _ => Err(usage(format!("unknown command `{cmd}`"))),
    }
}

/// What `exec` needs: the profile read and checked.
struct ExecSetup {
    file: String,
    profile: Profile,
}

impl ExecSetup {
    fn parse(opts: &mut Opts) -> Result<ExecSetup> {
        let file = opts
            .value("--profile")?
            .ok_or_else(|| usage("exec: --profile PROFILE is required"))?;
        let abis = match opts.value("--abi")? {
            Some(list) => abi_list(&list)?,
            None => Vec::new(),
        };
        let caps = opts.value("--caps")?;
        let strict_names = opts.flag("--strict-names");
        opts.done()?;
        // Names no ABI has are skipped by default, as `compile` does: such
        // calls cannot be made, so the filter is exact either way.
        let mut options = Options::new().abis(&abis).skip_unknown(!strict_names);
        if let Some(list) = &caps {
            let caps: Vec<&str> = list.split(',').map(str::trim).collect();
            if caps.iter().any(|c| c.is_empty()) {
                return Err(usage(format!("--caps {list}: an empty capability name")));
            }
            options = options.caps(&caps);
        }
        if let Some(k) = running_kernel() {
            options = options.kernel(k);
        }
        let text = std::fs::read_to_string(&file).map_err(|e| usage(format!("{file}: {e}")))?;
        let profile = Profile::from_json(&text, &options).map_err(|e| match e.kind() {
            OciErrorKind::NeedKernel => {
                usage(format!("{file}: {e} (the running kernel's is unknown)"))
            }
            _ => usage(format!("{file}: {e}")),
        })?;
        Ok(ExecSetup { file, profile })
    }

    /// Compiles `policy` exactly, or refuses.
    fn compile(&self, policy: &Policy<'_>) -> Result<Box<Filter<MAX_LEN>>> {
        let filter = compile::<MAX_LEN>(policy)
            .map_err(|e| usage(format!("{}: cannot be compiled: {e}", self.file)))?;
        bpf::verify(&filter).map_err(|e| {
            usage(format!(
                "{}: the compiled filter fails verify: {e}",
                self.file
            ))
        })?;
        Ok(Box::new(filter))
    }
}

/// `exec` without `--report`: install here, then `execve`.
fn exec_plain(setup: &ExecSetup, command: &[String]) -> Result<()> {
    let rules = setup.profile.rules();
    let policy = rules.policy();
    let filter = setup.compile(&policy)?;
    let native = native_abi()?;
    if let Some(nr) = Syscall::execve.nr(native) {
        let action = policy.evaluate(native, nr, &[0; 6])?;
        if refuses(action) {
            return Err(usage(format!(
                "{}: the profile refuses execve on {native} ({action}), so no command can \
                 start under it (--report runs it anyway and reports each refused call)",
                setup.file
            )));
        }
    }
    let prepared = Prepared::new(command)?;
    install::set_no_new_privs().map_err(|e| usage(format!("no_new_privs: {e}")))?;
    let err = prepared.exec(|| {
        install::install(&filter, FilterFlags::empty())
            .map_err(|e| usage(format!("installing the filter: {e}")))
    })?;
    Err(exec_failed(&command[0], err))
}

/// The helper of `exec --report`: the report filter with a listener, the
/// rendezvous, then `execve`.
fn report_child(setup: &ExecSetup, command: &[String]) -> Result<()> {
    let rules = setup.profile.rules();
    let policy = rules.policy();
    let native = native_abi()?;
    let report_rules = report_rules(rules.as_slice(), native);
    let report = report_policy(&policy, &report_rules);
    let filter = setup.compile(&report)?;
    let prepared = Prepared::new(command)?;
    install::set_no_new_privs().map_err(|e| usage(format!("no_new_privs: {e}")))?;
    let mut listener = None;
    let err = prepared.exec(|| {
        let l = install::install_listener(&filter, FilterFlags::empty())
            .map_err(|e| usage(format!("installing the filter: {e}")))?;
        listener = Some(l);
        // Blocks until the supervisor holds the listener.
        let _ = sys::notify::rendezvous(RENDEZVOUS_COOKIE);
        Ok(())
    })?;
    Err(exec_failed(&command[0], err))
}

/// The helper of `learn`: notify everything, then `execve` (itself
/// notified, so the supervisor has time to take the listener).
fn learn_child(abis: &[Abi], command: &[String]) -> Result<()> {
    let policy = Policy::new(Action::UserNotif, abis, &[]);
    let filter = compile::<MAX_LEN>(&policy).map_err(|e| usage(format!("learn filter: {e}")))?;
    let prepared = Prepared::new(command)?;
    install::set_no_new_privs().map_err(|e| usage(format!("no_new_privs: {e}")))?;
    let mut listener = None;
    let err = prepared.exec(|| {
        let l = install::install_listener(&filter, FilterFlags::empty())
            .map_err(|e| usage(format!("installing the filter: {e}")))?;
        listener = Some(l);
        Ok(())
    })?;
    Err(exec_failed(&command[0], err))
}

/// `exec --report`: the supervisor.
fn report_supervisor(setup: &ExecSetup, args: &[String], command: &[String]) -> Result<()> {
    let rules = setup.profile.rules();
    let policy = rules.policy();
    let native = native_abi()?;
    // Refuse what cannot run before anything runs.
    setup.compile(&policy)?;
    let report_rules = report_rules(rules.as_slice(), native);
    setup.compile(&report_policy(&policy, &report_rules))?;
    // Resolve the command here too, for a clear message.
    Prepared::new(command)?;

    let mut child = spawn_helper("__report-child", args)?;
    let listener = take_listener(&mut child)?;
    let rendezvous = sys::notify::RENDEZVOUS_NR as i32;
    let mut met = false;
    let stderr = std::io::stderr();
    supervise(&listener, |n| {
        if !met
            && n.pid == child.id()
            && n.data.nr == rendezvous
            && n.data.args[0] == RENDEZVOUS_COOKIE
            && n.abi() == Some(native)
        {
            met = true;
            return Reply::Value(0);
        }
        let action = policy.evaluate_data(&n.data).unwrap_or(Action::KillProcess);
        let _ = writeln!(
            stderr.lock(),
            "seccomp-bpf: denied {} -> {action}",
            describe(n)
        );
        answer(n, action)
    });
    finish(child)
}

/// `learn`: the supervisor.
fn learn_supervisor(abis: &[Abi], out: &str, args: &[String], command: &[String]) -> Result<()> {
    Prepared::new(command)?;
    let mut child = spawn_helper("__learn-child", args)?;
    let listener = take_listener(&mut child)?;
    let mut seen: BTreeSet<(u8, u32)> = BTreeSet::new();
    let mut abi_of: BTreeMap<u8, Abi> = BTreeMap::new();
    supervise(&listener, |n| {
        if let Some(abi) = n.abi() {
            seen.insert((abi as u8, n.data.nr as u32));
            abi_of.insert(abi as u8, abi);
        }
        Reply::Continue
    });
    let calls: Vec<(Abi, u32)> = seen
        .iter()
        .filter_map(|&(a, nr)| abi_of.get(&a).map(|&abi| (abi, nr)))
        .collect();
    let (json, unnamed) = learned_profile(&calls, native_abi()?, abis);
    for (abi, nr) in unnamed {
        eprintln!(
            "seccomp-bpf: learn: call {nr} on {abi} has no name; the profile cannot allow it"
        );
    }
    std::fs::write(out, json).map_err(|e| usage(format!("{out}: {e}")))?;
    finish(child)
}

/// The ABIs the host runs: the native one, its compat ABI, and x32 on
/// x86_64.
fn host_abis() -> Vec<Abi> {
    let Some(native) = Abi::NATIVE else {
        return Vec::new();
    };
    let mut v = vec![native];
    if let Some(c) = native.compat() {
        v.push(c);
    }
    if native == Abi::X86_64 {
        v.push(Abi::X32);
    }
    v
}

/// The profile's rules with every refusing action turned into
/// USER_NOTIF, plus the rendezvous on the native ABI. Since every refusing
/// action precedes every allowing one, the report filter notifies exactly
/// the calls the profile refuses; allowed calls keep their ALLOW.
fn report_rules<'a>(rules: &[Rule<'a>], native: Abi) -> Vec<Rule<'a>> {
    let mut v: Vec<Rule<'a>> = rules
        .iter()
        .map(|r| Rule {
            action: notify_if_refused(r.action),
            ..*r
        })
        .collect();
    v.push(Rule {
        target: Target::Nr {
            abi: native,
            nr: sys::notify::RENDEZVOUS_NR as u32,
        },
        conds: &[],
        action: Action::UserNotif,
    });
    v
}

fn report_policy<'a>(policy: &Policy<'a>, rules: &'a [Rule<'a>]) -> Policy<'a> {
    Policy::new(
        notify_if_refused(policy.default_action()),
        policy.abis(),
        rules,
    )
    .bad_arch(notify_if_refused(policy.bad_arch_action()))
    .on_missing(policy.missing())
    .log_mode(policy.is_log_mode())
}

/// Whether `action` keeps the call from running as asked.
fn refuses(action: Action) -> bool {
    !matches!(action, Action::Allow | Action::Log)
}

fn notify_if_refused(action: Action) -> Action {
    if refuses(action) {
        Action::UserNotif
    } else {
        action
    }
}

/// `getppid (110) on x86_64`.
fn describe(n: &Notification) -> String {
    let nr = n.data.nr as u32;
    match (n.abi(), n.syscall()) {
        (Some(abi), Some(s)) => format!("{} ({nr}) on {abi}", s.name()),
        (Some(abi), None) => format!("call {nr} on {abi}"),
        (None, _) => format!("call {nr} on audit arch {:#010x}", n.data.arch),
    }
}

/// The reply that does what `action` does, as far as a supervisor can.
fn answer(n: &Notification, action: Action) -> Reply {
    let sigsys = 31;
    match action {
        Action::Allow | Action::Log => Reply::Continue,
        Action::Errno(e) => Reply::Errno(e),
        // No tracer, no listener: the kernel fails such calls with ENOSYS.
        Action::Trace(_) | Action::UserNotif => Reply::Errno(Errno::ENOSYS.raw() as u16),
        // The kernel kills with SIGSYS; a supervisor can only send it.
        // KILL_THREAD kills the whole process here, and TRAP's SIGSYS
        // arrives without the seccomp siginfo.
        Action::Trap(_) => {
            let _ = sys::kill(n.pid as i32, sigsys);
            Reply::Errno(Errno::ENOSYS.raw() as u16)
        }
        Action::KillProcess | Action::KillThread | Action::Unknown(_) => {
            let _ = sys::kill(n.pid as i32, sigsys);
            Reply::Errno(Errno::ENOSYS.raw() as u16)
        }
    }
}

/// Answers notifications with `decide` until the filter has no users.
fn supervise(listener: &Listener, mut decide: impl FnMut(&Notification) -> Reply) {
    let _ = listener.set_sync_wakeup();
    loop {
        match listener.wait(None) {
            Ok(Ready::Notification) => {}
            Ok(Ready::NoUsers) => return,
            Ok(Ready::Timeout) => continue,
            Err(seccomp_bpf::notify::NotifyError::Interrupted) => continue,
            Err(e) => {
                eprintln!("seccomp-bpf: waiting for notifications: {e}");
                return;
            }
        }
        let n = match listener.recv() {
            Ok(n) => n,
            // The caller died between the wake-up and the read.
            Err(_) => continue,
        };
        let reply = decide(&n);
        // ENOENT: the caller died (or was killed above) meanwhile.
        let _ = listener.respond(n.id, reply);
    }
}

/// Spawns this program again as `helper` with the same arguments.
fn spawn_helper(helper: &str, args: &[String]) -> Result<Child> {
    let exe = std::env::current_exe().map_err(|e| usage(format!("current_exe: {e}")))?;
    Command::new(exe)
        .arg(helper)
        .args(args)
        .spawn()
        .map_err(|e| usage(format!("spawning the helper: {e}")))
}

/// Waits until the helper has installed its filter and copies its
/// listener. The helper is then blocked in a notified call.
fn take_listener(child: &mut Child) -> Result<Listener> {
    let pid = child.id();
    if !Path::new("/proc/self/fd").is_dir() {
        let _ = child.kill();
        return Err(usage(
            "/proc is not mounted: the supervisor finds the listener there",
        ));
    }
    let dir = PathBuf::from(format!("/proc/{pid}/fd"));
    let start = Instant::now();
    loop {
        if let Some(fd) = find_listener_fd(&dir) {
            return Listener::from_process(pid as i32, fd)
                .map_err(|e| usage(format!("taking the helper's listener: {e}")));
        }
        if let Ok(Some(status)) = child.try_wait() {
            // The helper failed before the install and said why.
            reraise(status);
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            return Err(usage("the helper did not install its filter within 60 s"));
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn find_listener_fd(dir: &Path) -> Option<i32> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let Ok(link) = std::fs::read_link(entry.path()) else {
            continue;
        };
        if link.as_os_str() == OsStr::new("anon_inode:seccomp notify") {
            return entry.file_name().to_str()?.parse().ok();
        }
    }
    None
}

/// Waits for the command and ends as it ended.
fn finish(mut child: Child) -> Result<()> {
    match child.wait() {
        Ok(status) => reraise(status),
        Err(e) => Err(usage(format!("waiting for the command: {e}"))),
    }
}

/// Exits with the command's code, or dies by its signal.
fn reraise(status: ExitStatus) -> ! {
    let _ = std::io::stdout().flush();
    if let Some(code) = status.code() {
        std::process::exit(code);
    }
    if let Some(sig) = status.signal() {
        // std ignores SIGPIPE; the other fatal signals still have their
        // default action here, so this ends the process as the command
        // ended.
        let _ = sys::kill(sys::getpid(), sig);
        std::process::exit(128 + sig);
    }
    std::process::exit(1)
}

/// A command ready for `execve`: its path and C strings.
struct Prepared {
    path: CString,
    argv: Vec<CString>,
    envp: Vec<CString>,
}

impl Prepared {
    fn new(command: &[String]) -> Result<Prepared> {
        let name = &command[0];
        let path = resolve(name).ok_or_else(|| usage(format!("{name}: command not found")))?;
        let c = |s: OsString| {
            CString::new(s.into_vec()).map_err(|_| usage("an argument contains a NUL byte"))
        };
        let argv = command
            .iter()
            .map(|a| c(OsString::from(a)))
            .collect::<Result<Vec<_>>>()?;
        let envp = std::env::vars_os()
            .map(|(k, v)| {
                let mut kv = k;
                kv.push("=");
                kv.push(v);
                c(kv)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Prepared {
            path: c(path.into_os_string())?,
            argv,
            envp,
        })
    }

    /// Builds the argument arrays, runs `install`, then `execve`. Returns
    /// the errno of a failed `execve`.
    fn exec(&self, install: impl FnOnce() -> Result<()>) -> Result<Errno> {
        let argv: Vec<&CStr> = self.argv.iter().map(|s| s.as_c_str()).collect();
        let envp: Vec<&CStr> = self.envp.iter().map(|s| s.as_c_str()).collect();
        let mut argv_buf: Vec<*const c_char> = vec![std::ptr::null(); argv.len() + 1];
        let mut envp_buf: Vec<*const c_char> = vec![std::ptr::null(); envp.len() + 1];
        let argv = CStrArray::new(&argv, &mut argv_buf).ok_or_else(|| usage("argv"))?;
        let envp = CStrArray::new(&envp, &mut envp_buf).ok_or_else(|| usage("envp"))?;
        // Rust's runtime ignores SIGPIPE, and an ignored signal stays
        // ignored across execve: give the command the default, as a shell
        // would.
        sys::notify::reset_signal(SIGPIPE).map_err(|e| usage(format!("SIGPIPE: {e}")))?;
        install()?;
        Ok(sys::notify::execve(&self.path, &argv, &envp))
    }
}

/// The path `execvp` would run for `name`: itself if it has a `/`, else
/// the first executable file of that name in `$PATH`.
fn resolve(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    if name.contains('/') {
        return Some(PathBuf::from(name));
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// After a failed `execve`, under the filter: one line if the filter lets
/// it through, and the shell's exit codes.
fn exec_failed(name: &str, err: Errno) -> Fail {
    let _ = writeln!(std::io::stderr(), "seccomp-bpf: exec {name}: {err}");
    std::process::exit(if err == Errno::ENOENT { 127 } else { 126 })
}

fn native_abi() -> Result<Abi> {
    Abi::NATIVE.ok_or_else(|| usage("this host's ABI is unknown to the crate"))
}

fn running_kernel() -> Option<KernelVersion> {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok()?;
    KernelVersion::from_release(release.trim())
}

/// `--abi a,b,c`.
fn abi_list(list: &str) -> Result<Vec<Abi>> {
    let mut abis = Vec::new();
    for name in list.split(',') {
        let name = name.trim();
        let abi = Abi::from_name(name)
            .ok_or_else(|| usage(format!("unknown ABI `{name}` (see `seccomp-bpf abis`)")))?;
        if abis.contains(&abi) {
            return Err(usage(format!("--abi {list}: {abi} given twice")));
        }
        abis.push(abi);
    }
    Ok(abis)
}

/// The Go architecture name an OCI profile's `includes.arches` uses.
fn go_arch(abi: Abi) -> &'static str {
    match abi {
        Abi::X86_64 => "amd64",
        Abi::X86 => "386",
        Abi::Aarch64 => "arm64",
        other => other.name(),
    }
}

/// The OCI profile that allows exactly the named calls seen (sorted,
/// one entry for the names every ABI seen made, one per ABI for the
/// rest), default ERRNO(ENOSYS), and the calls that have no name.
///
/// `includes.arches` in an OCI profile is judged against the host's
/// native architecture, not per ABI: an entry of names seen only through
/// x86 on an x86_64 host lists `["386", "amd64"]`, hosts where that ABI
/// exists, so it applies there (to every ABI of the profile, which OCI
/// cannot say otherwise).
fn learned_profile(
    calls: &[(Abi, u32)],
    native: Abi,
    watched: &[Abi],
) -> (String, Vec<(Abi, u32)>) {
    let mut names: BTreeMap<u8, (Abi, BTreeSet<&'static str>)> = BTreeMap::new();
    let mut unnamed = Vec::new();
    for &(abi, nr) in calls {
        match Syscall::from_nr(abi, nr) {
            Some(s) => {
                names
                    .entry(abi as u8)
                    .or_insert_with(|| (abi, BTreeSet::new()))
                    .1
                    .insert(s.name());
            }
            None => unnamed.push((abi, nr)),
        }
    }
    // The ABIs in the order watched (the native one first).
    let seen: Vec<(Abi, &BTreeSet<&str>)> = watched
        .iter()
        .filter_map(|a| names.get(&(*a as u8)).map(|(abi, set)| (*abi, set)))
        .collect();
    let common: BTreeSet<&str> = match seen.split_first() {
        Some(((_, first), rest)) => first
            .iter()
            .filter(|n| rest.iter().all(|(_, s)| s.contains(*n)))
            .copied()
            .collect(),
        None => BTreeSet::new(),
    };
    let mut entries = Vec::new();
    if !common.is_empty() {
        entries.push(serde_json::json!({
            "names": common.iter().collect::<Vec<_>>(),
            "action": "SCMP_ACT_ALLOW",
        }));
    }
    for (abi, set) in &seen {
        let only: Vec<&&str> = set.iter().filter(|n| !common.contains(*n)).collect();
        if only.is_empty() {
            continue;
        }
        let mut arches = vec![go_arch(*abi)];
        if *abi != native {
            arches.push(go_arch(native));
        }
        entries.push(serde_json::json!({
            "names": only,
            "action": "SCMP_ACT_ALLOW",
            "includes": { "arches": arches },
        }));
    }
    let archs: Vec<String> = seen
        .iter()
        .map(|(abi, _)| format!("SCMP_ARCH_{}", abi.name().to_ascii_uppercase()))
        .collect();
    let profile = serde_json::json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 38,
        "architectures": archs,
        "syscalls": entries,
    });
    let mut text = serde_json::to_string_pretty(&profile).unwrap_or_default();
    text.push('\n');
    (text, unnamed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learned_profile_groups_per_abi() {
        let n = |s: Syscall, a: Abi| (a, s.nr(a).unwrap());
        let calls = [
            n(Syscall::read, Abi::X86_64),
            n(Syscall::getpid, Abi::X86_64),
            n(Syscall::write, Abi::X86_64),
            n(Syscall::getpid, Abi::X86),
            n(Syscall::write, Abi::X86),
            n(Syscall::waitpid, Abi::X86),
            (Abi::X86_64, 4000),
        ];
        let watched = [Abi::X86_64, Abi::X86, Abi::X32];
        let (text, unnamed) = learned_profile(&calls, Abi::X86_64, &watched);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(unnamed, [(Abi::X86_64, 4000)]);
        assert_eq!(v["defaultAction"], "SCMP_ACT_ERRNO");
        assert_eq!(v["defaultErrnoRet"], 38);
        assert_eq!(
            v["architectures"],
            serde_json::json!(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"])
        );
        let s = &v["syscalls"];
        assert_eq!(s[0]["names"], serde_json::json!(["getpid", "write"]));
        assert!(s[0].get("includes").is_none());
        assert_eq!(s[1]["names"], serde_json::json!(["read"]));
        assert_eq!(s[1]["includes"]["arches"], serde_json::json!(["amd64"]));
        assert_eq!(s[2]["names"], serde_json::json!(["waitpid"]));
        assert_eq!(
            s[2]["includes"]["arches"],
            serde_json::json!(["386", "amd64"])
        );
        assert!(s.get(3).is_none());
        // It reads back as a profile that allows what was seen.
        let p = Profile::from_json(&text, &Options::new()).unwrap();
        let rules = p.rules();
        let policy = rules.policy();
        for &(abi, nr) in &calls[..6] {
            assert_eq!(policy.evaluate(abi, nr, &[0; 6]), Ok(Action::Allow));
        }
        let getppid = Syscall::getppid.nr(Abi::X86_64).unwrap();
        assert_eq!(
            policy.evaluate(Abi::X86_64, getppid, &[0; 6]),
            Ok(Action::Errno(38))
        );
    }

    #[test]
    fn report_rules_notify_exactly_the_refused_calls() {
        let rules = [
            Rule::new(Syscall::getppid, Action::Errno(77)),
            Rule::new(Syscall::getpid, Action::Allow),
            Rule::new(Syscall::gettid, Action::Log),
            Rule::new(Syscall::kill, Action::KillProcess),
        ];
        let abis = [Abi::X86_64];
        let policy = Policy::new(Action::Errno(1), &abis, &rules);
        let rr = report_rules(&rules, Abi::X86_64);
        let report = report_policy(&policy, &rr);
        for (nr, _) in seccomp_bpf::syscall::table(Abi::X86_64) {
            let a = policy.evaluate(Abi::X86_64, *nr, &[0; 6]).unwrap();
            let r = report.evaluate(Abi::X86_64, *nr, &[0; 6]).unwrap();
            assert_eq!(r, notify_if_refused(a), "nr {nr}");
        }
        let x86 = report.evaluate(Abi::X86, 20, &[0; 6]).unwrap();
        assert_eq!(x86, Action::UserNotif);
    }

    /// The report filter keeps every allowed call on the kernel's cached
    /// path: per ABI, the same calls are constant-ALLOW in both filters.
    fn assert_same_cached(json: &str, abis: &[Abi]) {
        use seccomp_bpf::bpf::cache;
        let opts = Options::new().abis(abis);
        let profile = Profile::from_json(json, &opts).unwrap();
        let rules = profile.rules();
        let policy = rules.policy();
        let rr = report_rules(rules.as_slice(), abis[0]);
        let report = report_policy(&policy, &rr);
        let plain = compile::<MAX_LEN>(&policy).unwrap();
        let notified = compile::<MAX_LEN>(&report).unwrap();
        for &abi in abis {
            let before = cache::cached_count(&plain, abi);
            assert_eq!(before, cache::cached_count(&notified, abi), "{abi}");
            for &(nr, s) in seccomp_bpf::syscall::table(abi) {
                let arch = abi.audit_arch();
                assert_eq!(
                    cache::is_const_allow(&plain, arch, nr),
                    cache::is_const_allow(&notified, arch, nr),
                    "{} on {abi}",
                    s.name()
                );
            }
        }
    }

    #[test]
    fn report_filter_keeps_allowed_calls_cached() {
        let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
            "syscalls": [
              {"names": ["read", "write", "getpid"], "action": "SCMP_ACT_ALLOW"},
              {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77},
              {"names": ["kill"], "action": "SCMP_ACT_KILL_PROCESS"},
              {"names": ["gettid"], "action": "SCMP_ACT_LOG"},
              {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
               "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}
            ]}"#;
        assert_same_cached(json, &[Abi::X86_64, Abi::X86, Abi::X32]);
        assert_same_cached(json, &[Abi::Aarch64, Abi::Arm]);
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        if let Some(p) = root
            .ancestors()
            .map(|d| d.join("shared/profiles/podman-default.json"))
            .find(|p| p.is_file())
        {
            let json = std::fs::read_to_string(p).unwrap();
            assert_same_cached(&json, &[Abi::X86_64, Abi::X86, Abi::X32]);
        }
    }
}
