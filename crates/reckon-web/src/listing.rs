//! The findings list's parameters, shared by the page and the API: filters,
//! sort and page, all in the URL so a list can be shared.

use reckon_store::{FindingQuery, FindingSort, RunRecord};
use serde::Deserialize;

use crate::error::{WebError, WebResult};
use crate::review::parse_state;

pub const DEFAULT_PER_PAGE: u64 = 50;
pub const MAX_PER_PAGE: u64 = 500;
/// Beyond any real run (a billion findings at the smallest page size).
const MAX_PAGE: u64 = 1_000_000_000;

/// `?run=&period=&kind=&client=&product=&source=&state=&assignee=&q=&sort=&dir=&page=&per_page=`
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListParams {
    pub run: Option<i64>,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub client: String,
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub state: String,
    /// An assignee's name, or `-` for unassigned findings.
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    /// `asc` or `desc` (default: descending for money, ascending otherwise).
    #[serde(default)]
    pub dir: String,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// Set after a bulk change: how many findings it changed.
    pub done: Option<u64>,
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

impl ListParams {
    pub fn sort(&self) -> WebResult<FindingSort> {
        if self.sort.is_empty() {
            return Ok(FindingSort::Money);
        }
        FindingSort::parse(&self.sort).ok_or_else(|| {
            WebError::BadRequest(format!(
                "sort {:?}: expected money, impact, kind, client, product, state or priority",
                self.sort
            ))
        })
    }

    pub fn descending(&self) -> WebResult<bool> {
        match self.dir.as_str() {
            "" => Ok(matches!(
                self.sort()?,
                FindingSort::Money | FindingSort::Priority
            )),
            "desc" => Ok(true),
            "asc" => Ok(false),
            other => Err(WebError::BadRequest(format!(
                "dir {other:?}: expected asc or desc"
            ))),
        }
    }

    /// The page asked for, kept where an offset stays a valid number for
    /// every database (a page past the last is simply empty).
    pub fn page(&self) -> u64 {
        self.page.unwrap_or(1).clamp(1, MAX_PAGE)
    }

    pub fn per_page(&self) -> u64 {
        self.per_page
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE)
    }

    /// The store query for `run`, states as of `today`.
    pub fn query(&self, run: &RunRecord, today: &str) -> WebResult<FindingQuery> {
        let state = match optional(&self.state) {
            Some(text) => Some(parse_state(&text)?),
            None => None,
        };
        let assignee = match self.assignee.trim() {
            "" => None,
            "-" => Some(String::new()),
            name => Some(name.to_string()),
        };
        Ok(FindingQuery {
            run: run.id,
            kind: optional(&self.kind),
            client: optional(&self.client),
            product: optional(&self.product),
            source: optional(&self.source),
            state,
            assignee,
            search: optional(&self.q),
            today: today.to_string(),
            sort: self.sort()?,
            descending: self.descending()?,
            offset: (self.page() - 1).saturating_mul(self.per_page()),
            limit: self.per_page(),
        })
    }

    /// The URL's query pairs (without the page), for links that keep the
    /// filters.
    pub fn pairs(&self, run: Option<i64>) -> Vec<(&'static str, String)> {
        vec![
            ("run", run.map(|r| r.to_string()).unwrap_or_default()),
            ("kind", self.kind.clone()),
            ("client", self.client.clone()),
            ("product", self.product.clone()),
            ("source", self.source.clone()),
            ("state", self.state.clone()),
            ("assignee", self.assignee.clone()),
            ("q", self.q.clone()),
            ("sort", self.sort.clone()),
            ("dir", self.dir.clone()),
        ]
    }
}
