//! A small fault-injecting HTTP proxy between the SDK and moto.
//!
//! It forwards AWS query-protocol calls and, as configured, answers some
//! of them itself with the error documents AWS sends (`Throttling`,
//! `RequestLimitExceeded`, `InternalError`/`InternalFailure`), forwards a
//! write and then "loses" its answer (an ambiguous failure), fails every
//! write after the first N, delays writes, or stands in where moto falls
//! short of AWS: `AlreadyExists` for a group name that exists (moto
//! silently overwrites) and `StartInstanceRefresh` (moto lacks it). Every
//! call is logged with its action and body, so tests can count calls and
//! check what was sent.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Every n-th call is answered with a throttling or a server error
    /// (alternately) without reaching moto: 3 → a third of all calls.
    pub fault_every: Option<usize>,
    /// After this many writes reached moto, every further write fails
    /// with a server error.
    pub fail_writes_after: Option<usize>,
    /// Writes forwarded to moto whose answer is then replaced by a server
    /// error (the change happened, the caller cannot know): the first
    /// attempt of each of these actions for each resource...
    pub lose_first_answer_of: Vec<String>,
    /// ...and this share of all other writes.
    pub lose_write_answers: f64,
    /// `CreateAutoScalingGroup` for a name that exists gets AWS's
    /// `AlreadyExists` instead of moto's silent overwrite.
    pub aws_create_semantics: bool,
    /// Answer `StartInstanceRefresh` as AWS would (moto has no such call).
    pub instance_refresh: bool,
    /// Pause before forwarding each write.
    pub write_delay: Duration,
    /// The first call of each of these actions for each resource name is
    /// throttled, so that every one of them is retried.
    pub throttle_first_attempt_of: Vec<String>,
}

/// One call as the proxy saw it.
#[derive(Clone, Debug)]
pub struct Call {
    pub service: String,
    pub region: String,
    pub action: String,
    pub params: BTreeMap<String, String>,
    /// Reached moto.
    pub forwarded: bool,
    /// The error code the proxy answered with, if it did.
    pub fault: Option<String>,
}

impl Call {
    pub fn is_write(&self) -> bool {
        is_write(&self.action)
    }
}

fn is_write(action: &str) -> bool {
    !(action.starts_with("Describe") || action.starts_with("Get") || action.starts_with("List"))
}

struct State {
    upstream: SocketAddr,
    config: Mutex<Config>,
    calls: Mutex<Vec<Call>>,
    writes_forwarded: AtomicUsize,
    writes_admitted: AtomicUsize,
    rng: Mutex<u64>,
    refreshes: AtomicUsize,
    throttled_once: Mutex<std::collections::BTreeSet<String>>,
    lost_once: Mutex<std::collections::BTreeSet<String>>,
    seen: AtomicUsize,
}

pub struct Proxy {
    pub addr: SocketAddr,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    pub fn start(upstream: SocketAddr, config: Config, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the proxy");
        let addr = listener.local_addr().expect("its address");
        let state = Arc::new(State {
            upstream,
            config: Mutex::new(config),
            calls: Mutex::new(Vec::new()),
            writes_forwarded: AtomicUsize::new(0),
            writes_admitted: AtomicUsize::new(0),
            rng: Mutex::new(seed.max(1)),
            refreshes: AtomicUsize::new(0),
            throttled_once: Mutex::new(std::collections::BTreeSet::new()),
            lost_once: Mutex::new(std::collections::BTreeSet::new()),
            seen: AtomicUsize::new(0),
        });
        let stop = Arc::new(AtomicBool::new(false));
        {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let state = Arc::clone(&state);
                    std::thread::spawn(move || {
                        let _ = serve(&state, conn);
                    });
                }
            });
        }
        Self { addr, state, stop }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn configure(&self, config: Config) {
        *self.state.config.lock().expect("config") = config;
        self.state.writes_forwarded.store(0, Ordering::SeqCst);
        self.state.writes_admitted.store(0, Ordering::SeqCst);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().expect("calls").clone()
    }

    pub fn clear(&self) {
        self.state.calls.lock().expect("calls").clear();
    }

    /// Calls of `action` (all of them, faults included).
    pub fn count(&self, action: &str) -> usize {
        self.calls().iter().filter(|c| c.action == action).count()
    }

    /// Writes that reached moto.
    pub fn writes_forwarded(&self) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.is_write() && c.forwarded)
            .count()
    }

    pub fn faults(&self) -> usize {
        self.calls().iter().filter(|c| c.fault.is_some()).count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn random(state: &State) -> f64 {
    let mut x = state.rng.lock().expect("rng");
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    #[expect(clippy::cast_precision_loss, reason = "a uniform draw in [0, 1)")]
    let r = (*x >> 11) as f64 / (1u64 << 53) as f64;
    r
}

struct Request {
    head: Vec<(String, String)>,
    first_line: String,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The raw request, to forward, with `Connection: close`.
    fn bytes(&self) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.first_line);
        for (k, v) in &self.head {
            if !k.eq_ignore_ascii_case("connection") {
                let _ = write!(out, "{k}: {v}\r\n");
            }
        }
        out.push_str("Connection: close\r\n\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut first_line = String::new();
    if reader.read_line(&mut first_line)? == 0 {
        return Ok(None);
    }
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            head.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len: usize = head
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        head,
        first_line: first_line.trim_end().to_owned(),
        body,
    }))
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn params(body: &[u8]) -> BTreeMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((decode(k), decode(v)))
        })
        .collect()
}

/// `Credential=AKID/20240101/us-east-1/autoscaling/aws4_request` → (region, service).
fn scope(authorization: &str) -> (String, String) {
    let credential = authorization
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split(',').next())
        .unwrap_or_default();
    let parts: Vec<&str> = credential.split('/').collect();
    match parts.as_slice() {
        [_, _, region, service, ..] => ((*region).to_owned(), (*service).to_owned()),
        _ => (String::new(), String::new()),
    }
}

fn respond(conn: &mut TcpStream, status: u16, body: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
    write!(
        conn,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nx-amzn-RequestId: proxy-request-id\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    conn.flush()
}

/// The error document AWS sends for `code` in `service`'s protocol.
fn error_body(service: &str, code: &str, message: &str) -> String {
    if service == "ec2" {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>proxy-request-id</RequestID></Response>"#
        )
    } else {
        let kind = if code.starts_with("Internal") {
            "Receiver"
        } else {
            "Sender"
        };
        format!(
            "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>proxy-request-id</RequestId></ErrorResponse>"
        )
    }
}

fn fault(service: &str, throttle: bool) -> (u16, String, String) {
    match (service, throttle) {
        ("ec2", true) => (
            503,
            "RequestLimitExceeded".into(),
            "Request limit exceeded.".into(),
        ),
        ("ec2", false) => (
            500,
            "InternalError".into(),
            "An internal error has occurred".into(),
        ),
        (_, true) => (400, "Throttling".into(), "Rate exceeded".into()),
        (_, false) => (
            500,
            "InternalFailure".into(),
            "An internal failure occurred".into(),
        ),
    }
}

fn forward(state: &State, request: &Request) -> std::io::Result<Vec<u8>> {
    let mut upstream = TcpStream::connect(state.upstream)?;
    upstream.set_read_timeout(Some(Duration::from_mins(1)))?;
    upstream.write_all(&request.bytes())?;
    let mut out = Vec::new();
    upstream.read_to_end(&mut out)?;
    Ok(out)
}

/// Asks moto whether a group of that name exists (same credentials scope).
fn group_exists(state: &State, request: &Request, name: &str) -> bool {
    let body = format!(
        "Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.1={name}"
    );
    let probe = Request {
        first_line: "POST / HTTP/1.1".into(),
        head: vec![
            ("Host".into(), state.upstream.to_string()),
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            ),
            (
                "Authorization".into(),
                request
                    .header("authorization")
                    .unwrap_or_default()
                    .to_owned(),
            ),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body: body.into_bytes(),
    };
    forward(state, &probe).is_ok_and(|r| {
        String::from_utf8_lossy(&r).contains(&format!("<AutoScalingGroupName>{name}<"))
    })
}

fn serve(state: &State, conn: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut conn = conn;
    let Some(request) = read_request(&mut reader)? else {
        return Ok(());
    };
    let params = params(&request.body);
    let action = params.get("Action").cloned().unwrap_or_default();
    let (region, service) = scope(request.header("authorization").unwrap_or_default());
    let config = state.config.lock().expect("config").clone();
    let write = is_write(&action);
    let mut call = Call {
        service: service.clone(),
        region,
        action: action.clone(),
        params: params.clone(),
        forwarded: false,
        fault: None,
    };
    let record = |call: Call| state.calls.lock().expect("calls").push(call);

    if config.instance_refresh && action == "StartInstanceRefresh" {
        let n = state.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        record(call);
        return respond(
            &mut conn,
            200,
            &format!(
                r#"<StartInstanceRefreshResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><StartInstanceRefreshResult><InstanceRefreshId>proxy-refresh-{n}</InstanceRefreshId></StartInstanceRefreshResult><ResponseMetadata><RequestId>proxy-request-id</RequestId></ResponseMetadata></StartInstanceRefreshResponse>"#
            ),
        );
    }
    // One resource's calls of one action, for "the first attempt of each".
    let key = format!(
        "{}/{action}/{}",
        call.region,
        [
            "PolicyName",
            "LaunchTemplateName",
            "AutoScalingGroupName",
            "LaunchTemplateId",
            "Resources.1",
        ]
        .iter()
        .find_map(|k| params.get(*k))
        .cloned()
        .unwrap_or_default()
    );
    if config.throttle_first_attempt_of.contains(&action) {
        let first = state
            .throttled_once
            .lock()
            .expect("seen")
            .insert(key.clone());
        if first {
            let (status, code, message) = fault(&service, true);
            call.fault = Some(code.clone());
            record(call);
            return respond(&mut conn, status, &error_body(&service, &code, &message));
        }
    }
    // A write takes its place in line before it is forwarded, so that
    // exactly N get through however many arrive at once.
    let failing_writes = match config.fail_writes_after {
        Some(n) if write => state.writes_admitted.fetch_add(1, Ordering::SeqCst) >= n,
        _ => false,
    };
    let n = state.seen.fetch_add(1, Ordering::SeqCst) + 1;
    let scheduled = config
        .fault_every
        .is_some_and(|every| n.is_multiple_of(every.max(1)));
    if failing_writes || scheduled {
        // Alternate the two kinds among the scheduled faults.
        let throttle = scheduled && (n / config.fault_every.unwrap_or(1).max(1)).is_multiple_of(2);
        let (status, code, message) = fault(&service, throttle);
        call.fault = Some(code.clone());
        record(call);
        return respond(&mut conn, status, &error_body(&service, &code, &message));
    }
    if config.aws_create_semantics && action == "CreateAutoScalingGroup" {
        let name = params
            .get("AutoScalingGroupName")
            .cloned()
            .unwrap_or_default();
        if group_exists(state, &request, &name) {
            call.fault = Some("AlreadyExists".into());
            record(call);
            return respond(
                &mut conn,
                400,
                &error_body(
                    &service,
                    "AlreadyExists",
                    &format!(
                        "AutoScalingGroup by this name already exists - A group with the name {name} already exists"
                    ),
                ),
            );
        }
    }
    if write && !config.write_delay.is_zero() {
        std::thread::sleep(config.write_delay);
    }
    let answer = forward(state, &request)?;
    call.forwarded = true;
    if write {
        state.writes_forwarded.fetch_add(1, Ordering::SeqCst);
    }
    let lose_first = config.lose_first_answer_of.contains(&action)
        && state.lost_once.lock().expect("lost").insert(key);
    if write && (lose_first || random(state) < config.lose_write_answers) {
        let (status, code, message) = fault(&service, false);
        call.fault = Some(format!("{code} (after forwarding)"));
        record(call);
        return respond(&mut conn, status, &error_body(&service, &code, &message));
    }
    record(call);
    conn.write_all(&answer)?;
    conn.flush()
}
