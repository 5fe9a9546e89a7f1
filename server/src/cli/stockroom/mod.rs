//! `nexus-server stock add|issue|return|transfer|count|status`: seed 003's commands, against a server's REST API with
//! an API key (`--base-url`, `NEXUS_API_KEY`), so a script at the counter or a cron job moves and reads stock as the
//! pages do, under the same rules. Items are named by SKU (or a barcode), departments by code (optional when the
//! organisation has one live department). Each write sends an idempotency key of its own: a retried command records
//! once. `status` prints the items with the low ones flagged and, with `--fail-on-low`, exits 3 when any is low.

pub mod bench;

use std::fmt::Write as _;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

/// Where and as whom.
#[derive(Args, Debug, Clone)]
pub struct Remote {
    /// The server's address.
    #[arg(long, default_value = "http://127.0.0.1:3000", global = true)]
    pub base_url: String,
    /// An API key of the organisation (`stock:read`; `stock:write` to move stock or add items).
    #[arg(long, env = "NEXUS_API_KEY", hide_env_values = true, global = true, default_value = "")]
    pub api_key: String,
}

#[derive(Args, Debug, Clone)]
pub struct StockArgs {
    #[command(flatten)]
    pub remote: Remote,
    #[command(subcommand)]
    pub command: StockCommand,
}

#[derive(Subcommand, Debug, Clone)]
pub enum StockCommand {
    /// Receive QUANTITY of an item, adding the item first when no item has this SKU (`stock add headphones 10
    /// --threshold 5`).
    Add {
        sku: String,
        quantity: f64,
        /// Below this an alert opens (set for the department).
        #[arg(long)]
        threshold: Option<f64>,
        /// The department's code (optional when there is only one).
        #[arg(long)]
        department: Option<String>,
        /// A new item's name (default: its SKU).
        #[arg(long)]
        name: Option<String>,
        /// A new item's unit: piece, pair, box, kg, g, litre, ml, metre, cm, m2.
        #[arg(long, default_value = "piece")]
        unit: String,
    },
    /// Issue QUANTITY of an item.
    Issue {
        sku: String,
        quantity: f64,
        #[arg(long)]
        department: Option<String>,
        /// A reference such as a work order.
        #[arg(long, default_value = "")]
        reference: String,
    },
    /// Take back QUANTITY of an item that was issued.
    Return {
        sku: String,
        quantity: f64,
        #[arg(long)]
        department: Option<String>,
    },
    /// Move QUANTITY of an item from one department to another.
    Transfer {
        sku: String,
        quantity: f64,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Set an item's balance in a department to what was counted (a one-item stocktake).
    Count {
        sku: String,
        counted: f64,
        #[arg(long)]
        department: Option<String>,
    },
    /// Every item with its balance; the low ones flagged.
    Status {
        /// Exit with 3 when an item is below its threshold somewhere.
        #[arg(long)]
        fail_on_low: bool,
    },
}

/// What a command printed, and the exit code it asks for.
pub struct Outcome {
    pub text: String,
    pub code: i32,
}

/// The REST API, as the key's organisation.
struct Api {
    agent: ureq::Agent,
    base: String,
    key: String,
}

impl Api {
    fn new(remote: &Remote) -> Result<Api> {
        if remote.api_key.trim().is_empty() {
            bail!(
                "an API key is needed: --api-key or NEXUS_API_KEY (create one on the API keys page, with stock:write)"
            );
        }
        let agent = ureq::AgentBuilder::new().timeout(std::time::Duration::from_secs(30)).build();
        Ok(Api { agent, base: remote.base_url.trim_end_matches('/').to_owned(), key: remote.api_key.trim().to_owned() })
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<(u16, Value)> {
        let req = self
            .agent
            .request(method, &format!("{}/api/v1{path}", self.base))
            .set("authorization", &format!("Bearer {}", self.key));
        let res = match body {
            Some(b) => req.set("content-type", "application/json").send_string(&b.to_string()),
            None => req.call(),
        };
        let res = match res {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => return Err(anyhow!("{}: {e}", self.base)),
        };
        let status = res.status();
        let text = res.into_string().unwrap_or_default();
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// A successful answer, or the server's refusal in words.
    fn ok(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let (status, v) = self.call(method, path, body)?;
        if (200..300).contains(&status) {
            return Ok(v);
        }
        Err(anyhow!("{method} {path}: {}", refusal(status, &v)))
    }
}

/// The server's refusal as a line: its code, each field, each short line.
fn refusal(status: u16, v: &Value) -> String {
    let mut s = format!("refused ({status})");
    if let Some(code) = v["code"].as_str() {
        let _ = write!(s, ": {code}");
    }
    for f in v["fields"].as_array().into_iter().flatten() {
        let _ = write!(s, "; {}: {}", f["field"].as_str().unwrap_or(""), f["code"].as_str().unwrap_or(""));
    }
    if v["problem"]["problem"] == "insufficient" {
        for l in v["problem"]["lines"].as_array().into_iter().flatten() {
            let _ = write!(s, "; not enough: {} wanted, {} left", l["wanted"], l["available"]);
        }
    }
    if status == 401 {
        s.push_str(" (is the API key right, and not revoked?)");
    }
    s
}

/// The department a command names by code, or the only live one.
fn department(api: &Api, code: Option<&str>) -> Result<i64> {
    let list = api.ok("GET", "/stock/departments", None)?;
    let live: Vec<&Value> = list.as_array().into_iter().flatten().filter(|d| d["archived"] == false).collect();
    match code {
        Some(c) => live
            .iter()
            .find(|d| d["code"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(c.trim())))
            .and_then(|d| d["id"].as_i64())
            .ok_or_else(|| anyhow!("no department has the code {c:?}")),
        None if live.len() == 1 => live[0]["id"].as_i64().context("a department without an id"),
        None => bail!("name the department: --department <code> (there are {})", live.len()),
    }
}

/// The item a SKU or barcode names: its id, unit and balance per department; `None` when there is none.
fn item(api: &Api, sku: &str) -> Result<Option<Value>> {
    let path = format!("/stock/lookup?code={}", urlencode(sku.trim()));
    let (status, v) = api.call("GET", &path, None)?;
    match status {
        200 => Ok(Some(v)),
        404 => Ok(None),
        _ => Err(anyhow!("{}", refusal(status, &v))),
    }
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn key() -> String {
    format!("cli-{}", uuid::Uuid::new_v4())
}

/// Posts one line and says what the balance became.
fn move_one(api: &Api, line: Value) -> Result<String> {
    let body = json!({"idempotency_key": key(), "source": "cli", "lines": [line]});
    let r = api.ok("POST", "/stock/postings", Some(&body))?;
    let mut out = String::new();
    for m in r["movements"].as_array().into_iter().flatten() {
        let _ =
            writeln!(out, "{} {} → balance {}", m["kind"].as_str().unwrap_or(""), m["quantity"], m["balance_after"]);
    }
    if r["alerts"].as_array().is_some_and(|a| !a.is_empty()) {
        out.push_str("low stock: an alert opened\n");
    }
    Ok(out)
}

fn known(api: &Api, sku: &str) -> Result<Value> {
    item(api, sku)?
        .ok_or_else(|| anyhow!("no item has the SKU or barcode {sku:?} (add it: stock add {sku} <quantity>)"))
}

/// Runs a command (blocking: call it outside an async runtime's worker).
pub fn run(args: &StockArgs) -> Result<Outcome> {
    let api = Api::new(&args.remote)?;
    let done = |text: String| Ok(Outcome { text, code: 0 });
    match &args.command {
        StockCommand::Add { sku, quantity, threshold, department: d, name, unit } => {
            let dept = department(&api, d.as_deref())?;
            let id = match item(&api, sku)? {
                Some(found) => {
                    let id = found["item"]["id"].as_i64().context("an item without an id")?;
                    if let Some(t) = threshold {
                        let level = json!({"department": dept, "threshold": t});
                        api.ok("PUT", &format!("/stock/items/{id}/level"), Some(&level))?;
                    }
                    id
                }
                None => {
                    let levels =
                        threshold.map(|t| vec![json!({"department": dept, "threshold": t})]).unwrap_or_default();
                    let body =
                        json!({"sku": sku, "name": name.as_deref().unwrap_or(sku), "unit": unit, "levels": levels});
                    api.ok("POST", "/stock/items", Some(&body))?["id"].as_i64().context("no id came back")?
                }
            };
            done(move_one(&api, json!({"action": "receive", "item": id, "department": dept, "quantity": quantity}))?)
        }
        StockCommand::Issue { sku, quantity, department: d, reference } => {
            let dept = department(&api, d.as_deref())?;
            let id = known(&api, sku)?["item"]["id"].clone();
            let line = json!({"action": "issue", "item": id, "department": dept, "quantity": quantity, "reference": reference});
            done(move_one(&api, line)?)
        }
        StockCommand::Return { sku, quantity, department: d } => {
            let dept = department(&api, d.as_deref())?;
            let id = known(&api, sku)?["item"]["id"].clone();
            done(move_one(&api, json!({"action": "return", "item": id, "department": dept, "quantity": quantity}))?)
        }
        StockCommand::Transfer { sku, quantity, from, to } => {
            let (from, to) = (department(&api, Some(from))?, department(&api, Some(to))?);
            let id = known(&api, sku)?["item"]["id"].clone();
            let line = json!({"action": "transfer", "item": id, "department": from, "to_department": to, "quantity": quantity});
            done(move_one(&api, line)?)
        }
        StockCommand::Count { sku, counted, department: d } => {
            let dept = department(&api, d.as_deref())?;
            let id = known(&api, sku)?["item"]["id"].as_i64().context("an item without an id")?;
            let st = api.ok("POST", "/stock/stocktakes", Some(&json!({"department": dept})))?;
            let st_id = st["id"].as_i64().context("a stocktake without an id")?;
            let counted_body = json!({"counted": counted});
            if let Err(e) = api.ok("PUT", &format!("/stock/stocktakes/{st_id}/lines/{id}"), Some(&counted_body)) {
                let _ = api.ok("POST", &format!("/stock/stocktakes/{st_id}/cancel"), Some(&json!({})));
                return Err(e);
            }
            let r =
                api.ok("POST", &format!("/stock/stocktakes/{st_id}/post"), Some(&json!({"idempotency_key": key()})))?;
            let text = match r["movements"].as_array().and_then(|m| m.first()) {
                Some(m) => format!("corrected by {} → balance {}\n", m["quantity"], m["balance_after"]),
                None => "as expected: nothing to correct\n".to_owned(),
            };
            done(text)
        }
        StockCommand::Status { fail_on_low } => status(&api, *fail_on_low),
    }
}

/// Every item (page by page) as a table: SKU, name, balance, unit, LOW where it is below a threshold.
fn status(api: &Api, fail_on_low: bool) -> Result<Outcome> {
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut after = String::new();
    loop {
        let page = api.ok("GET", &format!("/stock/items?limit=500&after={after}"), None)?;
        for i in page["items"].as_array().into_iter().flatten() {
            let low = i["low_in"].as_i64().unwrap_or(0) > 0;
            rows.push([
                i["sku"].as_str().unwrap_or("").to_owned(),
                i["name"].as_str().unwrap_or("").to_owned(),
                i["total"].to_string(),
                i["unit"].as_str().unwrap_or("").to_owned(),
                if low { "LOW".to_owned() } else { String::new() },
            ]);
        }
        match page["next"].as_str() {
            Some(n) => after = n.to_owned(),
            None => break,
        }
    }
    let header = ["SKU".to_owned(), "NAME".to_owned(), "BALANCE".to_owned(), "UNIT".to_owned(), String::new()];
    let widths: Vec<usize> =
        (0..5).map(|c| rows.iter().chain([&header]).map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut text = String::new();
    for r in std::iter::once(&header).chain(rows.iter()) {
        let line: Vec<String> = r.iter().zip(&widths).map(|(v, w)| format!("{v:<w$}")).collect();
        let _ = writeln!(text, "{}", line.join("  ").trim_end());
    }
    let low = rows.iter().filter(|r| !r[4].is_empty()).count();
    let _ = writeln!(text, "{} items, {low} low", rows.len());
    Ok(Outcome { text, code: if fail_on_low && low > 0 { 3 } else { 0 } })
}
