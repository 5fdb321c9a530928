//! Is the program at the other end of a loopback connection run by the same OS user as the
//! companion? On a terminal server or a shared reception PC, other users' programs can
//! reach 127.0.0.1 too; they must not pair, approve a pairing, or drive the card.
//! Linux: the kernel's socket table (`/proc/net/tcp`, `tcp6`) names the owner of the
//! peer's socket. Windows: the TCP table names the owning process, whose token names its
//! user. Anything that cannot be established is refused (fail closed).

use std::net::{SocketAddr, TcpStream};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Same,
    /// Another user (uid, or SID), for the log.
    Other(String),
    /// Could not be established (the peer already left, or the table was unreadable).
    Unknown(String),
}

pub fn owner(stream: &TcpStream) -> Owner {
    let (peer, local) = match (stream.peer_addr(), stream.local_addr()) {
        (Ok(p), Ok(l)) => (p, l),
        _ => return Owner::Unknown("no socket addresses".into()),
    };
    owner_of(peer, local)
}

#[cfg(target_os = "linux")]
fn owner_of(peer: SocketAddr, local: SocketAddr) -> Owner {
    use std::os::unix::fs::MetadataExt;
    let me = match std::fs::metadata("/proc/self") {
        Ok(m) => m.uid(),
        Err(e) => return Owner::Unknown(format!("own uid: {e}")),
    };
    let table = if peer.is_ipv4() {
        "/proc/net/tcp"
    } else {
        "/proc/net/tcp6"
    };
    let text = match std::fs::read_to_string(table) {
        Ok(t) => t,
        Err(e) => return Owner::Unknown(format!("{table}: {e}")),
    };
    match linux::uid_of(&text, peer, local) {
        Some(uid) if uid == me => Owner::Same,
        Some(uid) => Owner::Other(format!("uid {uid}")),
        None => Owner::Unknown("peer socket not in the table".into()),
    }
}

// Also on Windows: under Wine (the test rig) a peer may be a Linux process, which only
// Linux's table can name.
#[cfg(any(target_os = "linux", windows))]
mod linux {
    use std::net::{IpAddr, SocketAddr};

    /// `address:port` as the kernel prints it: each 32-bit word of the address in the
    /// machine's byte order, in hex; the port in hex.
    fn parse(field: &str) -> Option<SocketAddr> {
        let (addr, port) = field.split_once(':')?;
        let port = u16::from_str_radix(port, 16).ok()?;
        let words: Vec<u32> = (0..addr.len() / 8)
            .map(|i| u32::from_str_radix(addr.get(i * 8..i * 8 + 8)?, 16).ok())
            .collect::<Option<_>>()?;
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
        let ip = match bytes.len() {
            4 => IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?),
            16 => IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?),
            _ => return None,
        };
        Some(SocketAddr::new(ip, port))
    }

    /// The uid owning the socket whose own address is `peer` and whose remote is `local`
    /// (the peer's end of our connection).
    pub fn uid_of(table: &str, peer: SocketAddr, local: SocketAddr) -> Option<u32> {
        table.lines().skip(1).find_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (own, remote, uid) = (f.get(1)?, f.get(2)?, f.get(7)?);
            (parse(own)? == peer && parse(remote)? == local)
                .then(|| uid.parse().ok())
                .flatten()
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn reads_the_kernels_table() {
            // Two sockets of one loopback connection (127.0.0.1:47615 ⇄ :40000, uid 1001)
            // and a ::1 line.
            let v4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
               0: 0100007F:B9FF 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 1 1\n\
               1: 0100007F:9C40 0100007F:B9FF 01 00000000:00000000 00:00000000 00000000  1001        0 2 1\n";
            let peer: SocketAddr = "127.0.0.1:40000".parse().expect("addr");
            let local: SocketAddr = "127.0.0.1:47615".parse().expect("addr");
            assert_eq!(uid_of(v4, peer, local), Some(1001));
            assert_eq!(uid_of(v4, local, peer), Some(0));
            assert_eq!(uid_of(v4, "127.0.0.1:1".parse().expect("a"), local), None);
            let v6 = "sl local rem\n\
               0: 00000000000000000000000001000000:9C40 00000000000000000000000001000000:B9FF 01 0:0 0:0 0 1000 0 3 1\n";
            let peer: SocketAddr = "[::1]:40000".parse().expect("addr");
            let local: SocketAddr = "[::1]:47615".parse().expect("addr");
            assert_eq!(uid_of(v6, peer, local), Some(1000));
        }
    }
}

#[cfg(windows)]
fn owner_of(peer: SocketAddr, local: SocketAddr) -> Owner {
    let pid = match windows::owning_pid(peer, local) {
        // Under Wine, a Linux program's socket has no Windows process: ask Linux, through
        // Wine's view of the Linux file system (the same check as on Linux). Never on
        // Windows itself, which has no `wine_get_version`.
        Ok(Some(0)) if windows::under_wine() => return wine_owner(peer, local),
        Ok(Some(pid)) => pid,
        Ok(None) => return Owner::Unknown("peer socket not in the TCP table".into()),
        Err(e) => return Owner::Unknown(format!("TCP table: {e}")),
    };
    match (windows::current_user(), windows::process_user(pid)) {
        (Ok(me), Ok(them)) if me.same_as(&them) => Owner::Same,
        (Ok(_), Ok(them)) => Owner::Other(format!("pid {pid}, {}", them.describe())),
        (Err(e), _) | (_, Err(e)) => Owner::Unknown(format!("user of pid {pid}: {e}")),
    }
}

/// The same-user check of a Linux peer, from a companion running under Wine.
#[cfg(windows)]
fn wine_owner(peer: SocketAddr, local: SocketAddr) -> Owner {
    let read = |unix: &str| std::fs::read_to_string(format!("Z:{}", unix.replace('/', "\\")));
    let me = match read("/proc/self/status").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<u32>().ok())
    }) {
        Some(uid) => uid,
        None => return Owner::Unknown("own uid (Wine)".into()),
    };
    let table = if peer.is_ipv4() {
        "/proc/net/tcp"
    } else {
        "/proc/net/tcp6"
    };
    match read(table)
        .ok()
        .and_then(|t| linux::uid_of(&t, peer, local))
    {
        Some(uid) if uid == me => Owner::Same,
        Some(uid) => Owner::Other(format!("uid {uid}")),
        None => Owner::Unknown("peer socket not in the Linux table (Wine)".into()),
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
fn owner_of(_peer: SocketAddr, _local: SocketAddr) -> Owner {
    // No way to tell here yet: a single-user desktop is assumed (documented).
    Owner::Same
}

#[cfg(windows)]
pub mod windows {
    use std::net::{IpAddr, SocketAddr};
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, NO_ERROR};
    use windows_sys::Win32::NetworkManagement::IpHelper::{
        GetExtendedTcpTable, MIB_TCP6ROW_OWNER_PID, MIB_TCPROW_OWNER_PID,
        TCP_TABLE_OWNER_PID_CONNECTIONS,
    };
    use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6};
    use windows_sys::Win32::Security::{
        EqualSid, GetTokenInformation, TokenUser, TOKEN_QUERY, TOKEN_USER,
    };
    use windows_sys::Win32::System::Threading::{
        GetCurrentProcess, OpenProcess, OpenProcessToken, PROCESS_QUERY_LIMITED_INFORMATION,
    };

    /// Whether this is Wine (whose ntdll exports `wine_get_version`), not Windows.
    pub fn under_wine() -> bool {
        use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
        // SAFETY: NUL-terminated names; the module handle of ntdll needs no freeing.
        unsafe {
            let ntdll = GetModuleHandleA(c"ntdll.dll".as_ptr().cast());
            ntdll != 0 && GetProcAddress(ntdll, c"wine_get_version".as_ptr().cast()).is_some()
        }
    }

    /// A process's user, as the TOKEN_USER buffer that holds its SID.
    pub struct User(Vec<u8>);

    impl User {
        pub fn sid(&self) -> *mut core::ffi::c_void {
            // SAFETY: the buffer was filled by GetTokenInformation(TokenUser).
            unsafe { (*(self.0.as_ptr() as *const TOKEN_USER)).User.Sid }
        }
        pub fn same_as(&self, other: &User) -> bool {
            // SAFETY: both SIDs are valid for the lifetime of their buffers.
            unsafe { EqualSid(self.sid(), other.sid()) != 0 }
        }
        pub fn describe(&self) -> String {
            "another user".into()
        }
    }

    fn token_user(token: HANDLE) -> std::io::Result<User> {
        let mut len = 0u32;
        // SAFETY: the first call only asks for the size; the second fills `buf` of it.
        unsafe {
            GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut len);
            let mut buf = vec![0u8; len as usize];
            if GetTokenInformation(token, TokenUser, buf.as_mut_ptr() as _, len, &mut len) == 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(User(buf))
        }
    }

    fn user_of_process(process: HANDLE) -> std::io::Result<User> {
        let mut token: HANDLE = 0 as HANDLE;
        // SAFETY: `process` is a valid handle; the token handle is closed below.
        unsafe {
            if OpenProcessToken(process, TOKEN_QUERY, &mut token) == 0 {
                return Err(std::io::Error::last_os_error());
            }
            let user = token_user(token);
            CloseHandle(token);
            user
        }
    }

    pub fn current_user() -> std::io::Result<User> {
        // SAFETY: the pseudo-handle of the current process needs no closing.
        user_of_process(unsafe { GetCurrentProcess() })
    }

    pub fn process_user(pid: u32) -> std::io::Result<User> {
        // SAFETY: the handle is checked and closed.
        unsafe {
            let h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
            if h == 0 as HANDLE {
                return Err(std::io::Error::last_os_error());
            }
            let user = user_of_process(h);
            CloseHandle(h);
            user
        }
    }

    fn table(family: u32) -> std::io::Result<Vec<u8>> {
        let mut len = 0u32;
        for _ in 0..4 {
            let mut buf = vec![0u8; len as usize];
            // SAFETY: `buf` has `len` bytes; the call says how many it needs when too small.
            let r = unsafe {
                GetExtendedTcpTable(
                    if buf.is_empty() {
                        std::ptr::null_mut()
                    } else {
                        buf.as_mut_ptr() as _
                    },
                    &mut len,
                    0,
                    family,
                    TCP_TABLE_OWNER_PID_CONNECTIONS,
                    0,
                )
            };
            if r == NO_ERROR {
                return Ok(buf);
            }
        }
        Err(std::io::Error::other("the TCP table kept growing"))
    }

    fn port(p: u32) -> u16 {
        u16::from_be(p as u16)
    }

    /// The process owning the socket at `peer` connected to `local`.
    pub fn owning_pid(peer: SocketAddr, local: SocketAddr) -> std::io::Result<Option<u32>> {
        let ip = |a: SocketAddr| a.ip();
        match (ip(peer), ip(local)) {
            (IpAddr::V4(p), IpAddr::V4(l)) => {
                let buf = table(AF_INET as u32)?;
                let n = u32::from_ne_bytes(buf[..4].try_into().unwrap_or_default()) as usize;
                let rows = buf[4..].chunks_exact(std::mem::size_of::<MIB_TCPROW_OWNER_PID>());
                Ok(rows.take(n).find_map(|r| {
                    // SAFETY: each chunk is one row of the table the call filled.
                    let row = unsafe {
                        std::ptr::read_unaligned(r.as_ptr() as *const MIB_TCPROW_OWNER_PID)
                    };
                    (row.dwLocalAddr == u32::from_ne_bytes(p.octets())
                        && port(row.dwLocalPort) == peer.port()
                        && row.dwRemoteAddr == u32::from_ne_bytes(l.octets())
                        && port(row.dwRemotePort) == local.port())
                    .then_some(row.dwOwningPid)
                }))
            }
            (IpAddr::V6(p), IpAddr::V6(l)) => {
                let buf = table(AF_INET6 as u32)?;
                let n = u32::from_ne_bytes(buf[..4].try_into().unwrap_or_default()) as usize;
                let rows = buf[4..].chunks_exact(std::mem::size_of::<MIB_TCP6ROW_OWNER_PID>());
                Ok(rows.take(n).find_map(|r| {
                    // SAFETY: as above.
                    let row = unsafe {
                        std::ptr::read_unaligned(r.as_ptr() as *const MIB_TCP6ROW_OWNER_PID)
                    };
                    (row.ucLocalAddr == p.octets()
                        && port(row.dwLocalPort) == peer.port()
                        && row.ucRemoteAddr == l.octets()
                        && port(row.dwRemotePort) == local.port())
                    .then_some(row.dwOwningPid)
                }))
            }
            _ => Ok(None),
        }
    }
}
