//! The raw-syscall layer against libc on the running kernel.

use seccomp_bpf::sys::{self, Errno};

#[test]
fn ids_match_libc() {
    // SAFETY: plain calls without pointers.
    unsafe {
        assert_eq!(sys::getpid(), libc::getpid());
        assert_eq!(sys::getppid(), libc::getppid());
        assert_eq!(
            sys::gettid() as libc::c_long,
            libc::syscall(libc::SYS_gettid)
        );
    }
}

#[test]
fn write_reaches_a_pipe_and_bad_fds_are_ebadf() {
    let mut fds = [0; 2];
    // SAFETY: two live ints for the descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    assert_eq!(sys::write(fds[1], b"abc"), Ok(3));
    let mut buf = [0u8; 8];
    // SAFETY: reads into a live buffer of 8 bytes.
    let n = unsafe { libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len()) };
    assert_eq!(&buf[..n as usize], b"abc");
    // SAFETY: closes the descriptors we opened.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }
    assert_eq!(sys::write(fds[1], b"x"), Err(Errno::EBADF));
}

#[test]
fn errno_constants_match_libc() {
    let pairs = [
        (Errno::EPERM, libc::EPERM),
        (Errno::ENOENT, libc::ENOENT),
        (Errno::ESRCH, libc::ESRCH),
        (Errno::EINTR, libc::EINTR),
        (Errno::EBADF, libc::EBADF),
        (Errno::EAGAIN, libc::EAGAIN),
        (Errno::ENOMEM, libc::ENOMEM),
        (Errno::EACCES, libc::EACCES),
        (Errno::EFAULT, libc::EFAULT),
        (Errno::EBUSY, libc::EBUSY),
        (Errno::EINVAL, libc::EINVAL),
        (Errno::ENOSYS, libc::ENOSYS),
        (Errno::EOPNOTSUPP, libc::EOPNOTSUPP),
        (Errno::ENOTSUP, libc::ENOTSUP),
        (Errno::ETIMEDOUT, libc::ETIMEDOUT),
        (Errno::EINPROGRESS, libc::EINPROGRESS),
    ];
    for (ours, theirs) in pairs {
        assert_eq!(ours.raw(), theirs, "{ours:?}");
    }
}

#[test]
fn decode_uses_the_minus_4095_rule() {
    assert_eq!(sys::decode(0), Ok(0));
    assert_eq!(sys::decode(-1isize as usize), Err(Errno::EPERM));
    assert_eq!(sys::decode(-4095isize as usize), Err(Errno::from_raw(4095)));
    // Just outside the error range: a valid (large) result, e.g. an address.
    assert_eq!(sys::decode(-4096isize as usize), Ok(-4096isize as usize));
}

#[test]
fn errno_display_names_and_explains() {
    assert_eq!(
        Errno::ENOSYS.to_string(),
        "ENOSYS (function not implemented)"
    );
    assert_eq!(format!("{:?}", Errno::EACCES), "EACCES (13)");
    assert_eq!(Errno::from_raw(4000).to_string(), "errno 4000");
}

#[test]
fn prctl_reads_the_seccomp_mode() {
    assert_eq!(sys::prctl_get_seccomp(), Ok(0));
}

#[test]
fn owned_fd_closes_on_drop() {
    // A listener is the only OwnedFd the API hands out; get one in a child.
    // SAFETY: the child only makes raw syscalls and exits.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let ok = (|| {
            seccomp_bpf::install::set_no_new_privs().ok()?;
            let l = seccomp_bpf::install::install_listener(
                &[seccomp_bpf::bpf::ret_k(0x7fff_0000)],
                seccomp_bpf::FilterFlags::empty(),
            )
            .ok()?;
            let fd = l.as_raw_fd();
            // SAFETY: fcntl on a descriptor number; no memory involved.
            let open_before = unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0;
            drop(l);
            // SAFETY: as above.
            let open_after = unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0;
            Some(open_before && !open_after)
        })();
        // SAFETY: leaves the child at once.
        unsafe { libc::_exit(if ok == Some(true) { 0 } else { 1 }) };
    }
    let mut status = 0;
    // SAFETY: waits for our child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
}
