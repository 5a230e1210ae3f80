//! `errno` values of wasi_snapshot_preview1, and the mapping from host I/O errors.

use std::io;

/// A WASI error number. The host functions return `Result<(), Errno>`; the glue passes
/// `0` for `Ok` and the number otherwise, as the ABI wants.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Errno(pub u16);

macro_rules! errnos {
    ($($name:ident = $value:literal,)*) => {
        impl Errno {
            $(pub const $name: Errno = Errno($value);)*
        }
    };
}

errnos! {
    SUCCESS = 0, TOOBIG = 1, ACCES = 2, ADDRINUSE = 3, ADDRNOTAVAIL = 4, AFNOSUPPORT = 5,
    AGAIN = 6, ALREADY = 7, BADF = 8, BADMSG = 9, BUSY = 10, CANCELED = 11, CHILD = 12,
    CONNABORTED = 13, CONNREFUSED = 14, CONNRESET = 15, DEADLK = 16, DESTADDRREQ = 17,
    DOM = 18, DQUOT = 19, EXIST = 20, FAULT = 21, FBIG = 22, HOSTUNREACH = 23, IDRM = 24,
    ILSEQ = 25, INPROGRESS = 26, INTR = 27, INVAL = 28, IO = 29, ISCONN = 30, ISDIR = 31,
    LOOP = 32, MFILE = 33, MLINK = 34, MSGSIZE = 35, MULTIHOP = 36, NAMETOOLONG = 37,
    NETDOWN = 38, NETRESET = 39, NETUNREACH = 40, NFILE = 41, NOBUFS = 42, NODEV = 43,
    NOENT = 44, NOEXEC = 45, NOLCK = 46, NOLINK = 47, NOMEM = 48, NOMSG = 49,
    NOPROTOOPT = 50, NOSPC = 51, NOSYS = 52, NOTCONN = 53, NOTDIR = 54, NOTEMPTY = 55,
    NOTRECOVERABLE = 56, NOTSOCK = 57, NOTSUP = 58, NOTTY = 59, NXIO = 60, OVERFLOW = 61,
    OWNERDEAD = 62, PERM = 63, PIPE = 64, PROTO = 65, PROTONOSUPPORT = 66,
    PROTOTYPE = 67, RANGE = 68, ROFS = 69, SPIPE = 70, SRCH = 71, STALE = 72,
    TIMEDOUT = 73, TXTBSY = 74, XDEV = 75, NOTCAPABLE = 76,
}

impl From<io::Error> for Errno {
    fn from(error: io::Error) -> Errno {
        match error.raw_os_error() {
            Some(code) => from_os(code),
            // cap-std reports a path that would leave the sandbox (`..` past the root, an
            // absolute path, a symlink pointing out) as `PermissionDenied` without an OS
            // code: for the guest that is a missing capability, not a host permission.
            None => match error.kind() {
                io::ErrorKind::PermissionDenied => Errno::NOTCAPABLE,
                io::ErrorKind::NotFound => Errno::NOENT,
                io::ErrorKind::AlreadyExists => Errno::EXIST,
                io::ErrorKind::InvalidInput => Errno::INVAL,
                io::ErrorKind::Unsupported => Errno::NOTSUP,
                io::ErrorKind::OutOfMemory => Errno::NOMEM,
                io::ErrorKind::WouldBlock => Errno::AGAIN,
                io::ErrorKind::Interrupted => Errno::INTR,
                io::ErrorKind::BrokenPipe => Errno::PIPE,
                io::ErrorKind::NotADirectory => Errno::NOTDIR,
                io::ErrorKind::IsADirectory => Errno::ISDIR,
                io::ErrorKind::DirectoryNotEmpty => Errno::NOTEMPTY,
                _ => Errno::IO,
            },
        }
    }
}

/// The WASI errno for a host (POSIX) errno.
fn from_os(code: i32) -> Errno {
    use libc::*;
    #[allow(unreachable_patterns)] // EAGAIN == EWOULDBLOCK and the like on some hosts
    match code {
        E2BIG => Errno::TOOBIG,
        EACCES => Errno::ACCES,
        EADDRINUSE => Errno::ADDRINUSE,
        EADDRNOTAVAIL => Errno::ADDRNOTAVAIL,
        EAFNOSUPPORT => Errno::AFNOSUPPORT,
        EAGAIN | EWOULDBLOCK => Errno::AGAIN,
        EALREADY => Errno::ALREADY,
        EBADF => Errno::BADF,
        EBADMSG => Errno::BADMSG,
        EBUSY => Errno::BUSY,
        ECANCELED => Errno::CANCELED,
        ECHILD => Errno::CHILD,
        ECONNABORTED => Errno::CONNABORTED,
        ECONNREFUSED => Errno::CONNREFUSED,
        ECONNRESET => Errno::CONNRESET,
        EDEADLK => Errno::DEADLK,
        EDESTADDRREQ => Errno::DESTADDRREQ,
        EDOM => Errno::DOM,
        EDQUOT => Errno::DQUOT,
        EEXIST => Errno::EXIST,
        EFAULT => Errno::FAULT,
        EFBIG => Errno::FBIG,
        EHOSTUNREACH => Errno::HOSTUNREACH,
        EIDRM => Errno::IDRM,
        EILSEQ => Errno::ILSEQ,
        EINPROGRESS => Errno::INPROGRESS,
        EINTR => Errno::INTR,
        EINVAL => Errno::INVAL,
        EIO => Errno::IO,
        EISCONN => Errno::ISCONN,
        EISDIR => Errno::ISDIR,
        ELOOP => Errno::LOOP,
        EMFILE => Errno::MFILE,
        EMLINK => Errno::MLINK,
        EMSGSIZE => Errno::MSGSIZE,
        ENAMETOOLONG => Errno::NAMETOOLONG,
        ENETDOWN => Errno::NETDOWN,
        ENETRESET => Errno::NETRESET,
        ENETUNREACH => Errno::NETUNREACH,
        ENFILE => Errno::NFILE,
        ENOBUFS => Errno::NOBUFS,
        ENODEV => Errno::NODEV,
        ENOENT => Errno::NOENT,
        ENOEXEC => Errno::NOEXEC,
        ENOLCK => Errno::NOLCK,
        ENOMEM => Errno::NOMEM,
        ENOSPC => Errno::NOSPC,
        ENOSYS => Errno::NOSYS,
        ENOTCONN => Errno::NOTCONN,
        ENOTDIR => Errno::NOTDIR,
        ENOTEMPTY => Errno::NOTEMPTY,
        ENOTSOCK => Errno::NOTSOCK,
        ENOTSUP | EOPNOTSUPP => Errno::NOTSUP,
        ENOTTY => Errno::NOTTY,
        ENXIO => Errno::NXIO,
        EOVERFLOW => Errno::OVERFLOW,
        EPERM => Errno::PERM,
        EPIPE => Errno::PIPE,
        ERANGE => Errno::RANGE,
        EROFS => Errno::ROFS,
        ESPIPE => Errno::SPIPE,
        ESRCH => Errno::SRCH,
        ETIMEDOUT => Errno::TIMEDOUT,
        ETXTBSY => Errno::TXTBSY,
        EXDEV => Errno::XDEV,
        _ => Errno::IO,
    }
}

/// Shorthand for the functions' results.
pub type WasiResult<T = ()> = Result<T, Errno>;
