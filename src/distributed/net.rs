//! Connecting the processes of a cluster.
//!
//! timely's own connection code retries forever and prints to stdout; this
//! one gives up after a deadline with an error naming the missing peers, then
//! hands the sockets to timely ([`initialize_networking_from_sockets`]),
//! which speaks the same protocol from there. Process `i` listens on line `i`
//! of the hostfile, connects to every lower-numbered process and accepts
//! every higher-numbered one; a 24-byte hello (magic, index, cluster size)
//! catches a peer started with another hostfile.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use timely::communication::Hooks;
use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
use timely::communication::allocator::{AllocatorBuilder, ProcessBuilder};
use timely::communication::logging::CommunicationEvent;
use timely::logging_core::Logger;

/// "SADATIM1".
const MAGIC: u64 = 0x5341_4441_5449_4D31;

/// Bytes crossing this process's connections, counted by timely's
/// communication logging (data and progress messages).
#[derive(Debug, Default)]
pub struct Traffic {
    /// Payload bytes sent to other processes.
    pub sent: AtomicU64,
    /// Payload bytes received from other processes.
    pub received: AtomicU64,
}

/// The hostfile: one `host:port` per line, process `i` on line `i`; blank
/// lines and `#` comments are ignored.
///
/// # Errors
/// The file cannot be read, or lists no host.
pub fn read_hostfile(path: &Path) -> io::Result<Vec<String>> {
    let hosts: Vec<String> = std::fs::read_to_string(path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    if hosts.is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "no host:port line"));
    }
    Ok(hosts)
}

/// Connects process `me` to every other process of `hosts` (waiting for
/// them up to `timeout`) and builds timely's allocator for one worker.
///
/// # Errors
/// A peer did not connect in time, sent a bad hello, or a socket failed.
pub fn connect(
    hosts: &[String],
    me: usize,
    timeout: Duration,
    traffic: Arc<Traffic>,
) -> io::Result<(Vec<AllocatorBuilder>, Box<dyn std::any::Any + Send>)> {
    let sockets = handshake(hosts, me, timeout)?;
    let hooks = counting_hooks(traffic);
    let local = ProcessBuilder::new_typed_vector(1, hooks.refill.clone(), hooks.spill.clone());
    let (builders, guard) = initialize_networking_from_sockets(local, sockets, me, 1, hooks)?;
    Ok((builders.into_iter().map(AllocatorBuilder::Tcp).collect(), Box::new(guard)))
}

fn counting_hooks(traffic: Arc<Traffic>) -> Hooks {
    let log_fn = Arc::new(move |_setup| {
        let traffic = Arc::clone(&traffic);
        Some(Logger::new(
            Instant::now(),
            Duration::ZERO,
            move |_time: &Duration, batch: &mut Option<Vec<(Duration, CommunicationEvent)>>| {
                for (_, event) in batch.iter().flatten() {
                    if let CommunicationEvent::Message(m) = event {
                        let counter = if m.is_send { &traffic.sent } else { &traffic.received };
                        counter.fetch_add(m.header.length as u64, Ordering::Relaxed);
                    }
                }
            },
        ))
    });
    Hooks { log_fn, ..Hooks::default() }
}

fn hello(me: usize, n: usize) -> [u8; 24] {
    let mut h = [0u8; 24];
    h[..8].copy_from_slice(&MAGIC.to_be_bytes());
    h[8..16].copy_from_slice(&(me as u64).to_be_bytes());
    h[16..].copy_from_slice(&(n as u64).to_be_bytes());
    h
}

fn timed_out(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, what)
}

fn handshake(hosts: &[String], me: usize, timeout: Duration) -> io::Result<Vec<Option<TcpStream>>> {
    let n = hosts.len();
    let deadline = Instant::now() + timeout;
    // Listen first, so that higher-numbered peers can queue their connects.
    let listener = TcpListener::bind(&hosts[me]).map_err(|e| {
        io::Error::new(e.kind(), format!("cannot listen on {} (line {} of the hostfile): {e}", hosts[me], me + 1))
    })?;
    listener.set_nonblocking(true)?;
    let mut sockets: Vec<Option<TcpStream>> = (0..n).map(|_| None).collect();

    for (j, host) in hosts.iter().enumerate().take(me) {
        let addr = host
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("cannot resolve {host}")))?;
        loop {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                Ok(mut s) => {
                    s.set_nodelay(true)?;
                    s.write_all(&hello(me, n))?;
                    sockets[j] = Some(s);
                    break;
                }
                // Refused until the peer is up.
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
                Err(e) => {
                    return Err(timed_out(format!("process {j} at {host} did not answer within {timeout:?}: {e}")));
                }
            }
        }
    }

    while sockets[me + 1..].iter().any(Option::is_none) {
        match listener.accept() {
            Ok((mut s, peer)) => {
                s.set_nonblocking(false)?;
                s.set_nodelay(true)?;
                s.set_read_timeout(Some(
                    deadline.saturating_duration_since(Instant::now()).max(Duration::from_secs(1)),
                ))?;
                let mut h = [0u8; 24];
                s.read_exact(&mut h)?;
                s.set_read_timeout(None)?;
                let word = |i: usize| u64::from_be_bytes(h[8 * i..8 * i + 8].try_into().expect("8 bytes"));
                let (magic, j, their_n) = (word(0), word(1) as usize, word(2) as usize);
                if magic != MAGIC || their_n != n || j <= me || j >= n || sockets[j].is_some() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("bad hello from {peer}: not a sada process of this {n}-process hostfile"),
                    ));
                }
                sockets[j] = Some(s);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    let missing: Vec<usize> = (me + 1..n).filter(|&j| sockets[j].is_none()).collect();
                    return Err(timed_out(format!("processes {missing:?} did not connect within {timeout:?}")));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(sockets)
}
