//! A tiny local AWS for what moto cannot do (pages, throttling, denied calls, a region that is not
//! enabled): an HTTP/1.1 server on 127.0.0.1 answering ECR's JSON protocol (and the account
//! service's REST-JSON one) from a function of each request, STS's `GetCallerIdentity` with a
//! fixed caller, and counting the calls.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request: the operation (`DescribeRepositories`, `GetCallerIdentity`), the region it was
/// signed for, and its JSON body.
pub struct Call {
    pub operation: String,
    pub region: String,
    pub body: serde_json::Value,
}

/// An answer: an HTTP status and a body.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn ok(body: serde_json::Value) -> Answer {
        Answer {
            status: 200,
            body: body.to_string(),
        }
    }

    /// An AWS JSON-protocol error.
    pub fn error(code: &str, message: &str) -> Answer {
        Answer {
            status: 400,
            body: serde_json::json!({"__type": code, "message": message}).to_string(),
        }
    }
}

type Handler = dyn Fn(&Call) -> Answer + Send + Sync;

pub struct FakeAws {
    pub url: String,
    /// How many times each `operation region` was called.
    calls: Arc<Mutex<HashMap<String, usize>>>,
}

impl FakeAws {
    /// Serves ECR calls with `ecr`; STS's GetCallerIdentity answers account 123456789012.
    pub fn start(ecr: impl Fn(&Call) -> Answer + Send + Sync + 'static) -> FakeAws {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(ecr);
        let counted = calls.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, counted) = (handler.clone(), counted.clone());
                std::thread::spawn(move || serve(stream, &*handler, &counted));
            }
        });
        FakeAws { url, calls }
    }

    pub fn calls(&self, operation: &str, region: &str) -> usize {
        let calls = self.calls.lock().unwrap();
        calls
            .get(&format!("{operation} {region}"))
            .copied()
            .unwrap_or(0)
    }
}

fn serve(stream: TcpStream, handler: &Handler, calls: &Mutex<HashMap<String, usize>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        // `POST /listRegions HTTP/1.1`: the operation of a REST-JSON service is in the path.
        let path = line.split(' ').nth(1).unwrap_or("/").to_string();
        let mut headers: HashMap<String, String> = HashMap::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        // `Credential=KEY/DATE/REGION/SERVICE/aws4_request`
        let region = headers
            .get("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split('/').nth(2))
            .unwrap_or("")
            .to_string();
        let (operation, answer, content_type) = match headers.get("x-amz-target") {
            Some(target) => {
                let operation = target.rsplit('.').next().unwrap_or("").to_string();
                let call = Call {
                    operation: operation.clone(),
                    region: region.clone(),
                    body: serde_json::from_str(&body).unwrap_or_default(),
                };
                (operation, handler(&call), "application/x-amz-json-1.1")
            }
            None if body.contains("Action=GetCallerIdentity") => (
                "GetCallerIdentity".to_string(),
                Answer {
                    status: 200,
                    body: "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/auditor</Arn><UserId>AIDAAUDITOR</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>".into(),
                },
                "text/xml",
            ),
            None => {
                let mut operation: String = path.trim_start_matches('/').to_string();
                if let Some(first) = operation.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                let call = Call {
                    operation: operation.clone(),
                    region: region.clone(),
                    body: serde_json::from_str(&body).unwrap_or_default(),
                };
                (operation, handler(&call), "application/json")
            }
        };
        *calls
            .lock()
            .unwrap()
            .entry(format!("{operation} {region}"))
            .or_default() += 1;
        let reason = if answer.status == 200 {
            "OK"
        } else {
            "Bad Request"
        };
        let response = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: 1\r\n\r\n{}",
            answer.status,
            answer.body.len(),
            answer.body
        );
        if stream.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}
