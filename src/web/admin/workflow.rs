//! 流程: the workflow in force, drawn on the server as SVG (no script) with its states and
//! actions in Chinese, and the same as a table (who may take each action, what it needs).
//!
//! The drawing reads top-down: each state sits in the row of its shortest distance from
//! the initial state; moves forward are straight arrows, moves back (退回, 重新打开) curve
//! round the left margin, moves from "any state not final" start at one dashed box, and
//! actions that keep the state (报告进展, 督办 …) are in the table only.

use std::collections::{BTreeMap, HashMap, VecDeque};

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};

use super::error_page;
use crate::{
    domain::workflow::{Requirement, Workflow},
    http::AppState,
    web::{Shell, SignedIn, render},
};

/// The drawing's width (its viewBox).
pub const WIDTH: u32 = 640;
/// Where the boxes start; moves back curve in the margin left of it.
const LEFT: f32 = 200.0;
const RIGHT: f32 = 630.0;
const BOX_W: f32 = 112.0;
const BOX_H: f32 = 36.0;
const ROW: f32 = 92.0;
const TOP: f32 = 16.0;
/// The width of one character of a label (12 px text, CJK).
const CHAR_W: f32 = 12.5;

/// A state's box.
#[derive(Clone, Debug)]
pub struct StateBox {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// Where its label is written (centre, baseline).
    pub text_x: f32,
    pub text_y: f32,
    pub label: String,
    /// `state`, plus `initial`, `final` or `any`.
    pub class: String,
}

/// An arrow between two boxes, with the actions that make the move.
#[derive(Clone, Debug)]
pub struct Arrow {
    /// The SVG path.
    pub d: String,
    pub label: String,
    /// The label's background (x, y, width) and its text's centre and baseline.
    pub bg_x: f32,
    pub bg_y: f32,
    pub bg_w: f32,
    pub text_x: f32,
    pub text_y: f32,
    /// `move`, `back` or `any`.
    pub class: &'static str,
}

/// The drawing.
#[derive(Clone, Debug)]
pub struct Diagram {
    pub width: u32,
    pub height: u32,
    pub boxes: Vec<StateBox>,
    pub arrows: Vec<Arrow>,
    /// A sentence saying the same, for readers of the image's description.
    pub summary: String,
}

/// The pseudo-state "any state not final".
const ANY: &str = "*";

/// Lays the workflow out.
pub fn diagram(w: &Workflow) -> Diagram {
    // Every move (from, to) with the actions that make it, in file order.
    let mut moves: Vec<((String, String), Vec<String>)> = Vec::new();
    for action in w.actions() {
        for t in &action.transitions {
            if t.from == t.to {
                continue;
            }
            let key = (t.from.clone(), t.to.clone());
            match moves.iter_mut().find(|(k, _)| *k == key) {
                Some((_, labels)) if !labels.contains(&action.label) => {
                    labels.push(action.label.clone())
                }
                Some(_) => {}
                None => moves.push((key, vec![action.label.clone()])),
            }
        }
    }
    // Rows: the shortest distance from the initial state over named moves.
    let mut layer: HashMap<&str, usize> = HashMap::from([(w.initial(), 0)]);
    let mut queue = VecDeque::from([w.initial()]);
    while let Some(s) = queue.pop_front() {
        let next = layer[s] + 1;
        for ((from, to), _) in &moves {
            if from == s && !layer.contains_key(to.as_str()) {
                layer.insert(to.as_str(), next);
                queue.push_back(to.as_str());
            }
        }
    }
    let deepest = layer.values().copied().max().unwrap_or(0);
    let has_any = moves.iter().any(|((from, _), _)| from == ANY);
    // States reached only from "any state" go below the rest, beside the dashed box.
    let bottom = deepest + 1;
    let mut rows: BTreeMap<usize, Vec<(&str, String, String)>> = BTreeMap::new();
    if has_any {
        rows.entry(bottom).or_default().push((
            ANY,
            "任一未办结状态".to_owned(),
            "state any".to_owned(),
        ));
    }
    // States no action reaches (e.g. 已拆分, set by splitting) stand in a last row of their
    // own, so the row of "any state" keeps room for its arrows' labels.
    let reached_by_any: Vec<&str> = moves
        .iter()
        .filter(|((from, _), _)| from == ANY)
        .map(|((_, to), _)| to.as_str())
        .collect();
    for s in w.states() {
        let row = match layer.get(s.name.as_str()) {
            Some(row) => *row,
            None if reached_by_any.contains(&s.name.as_str()) => bottom,
            None => bottom + 1,
        };
        let mut class = "state".to_owned();
        if s.name == w.initial() {
            class.push_str(" initial");
        }
        if s.is_final {
            class.push_str(" final");
        }
        rows.entry(row)
            .or_default()
            .push((s.name.as_str(), s.label.clone(), class));
    }
    let mut boxes = Vec::new();
    let mut at: HashMap<&str, (f32, f32, usize)> = HashMap::new();
    for (row_index, (row, states)) in rows.iter().enumerate() {
        let n = states.len() as f32;
        for (j, (name, label, class)) in states.iter().enumerate() {
            let cx = LEFT + (RIGHT - LEFT) * (j as f32 + 0.5) / n;
            let y = TOP + row_index as f32 * ROW;
            at.insert(*name, (cx, y, *row));
            boxes.push(StateBox {
                x: cx - BOX_W / 2.0,
                y,
                w: BOX_W,
                h: BOX_H,
                text_x: cx,
                text_y: y + BOX_H / 2.0 + 5.0,
                label: label.clone(),
                class: class.clone(),
            });
        }
    }
    let mut arrows = Vec::new();
    let mut back_lane = 0.0;
    for ((from, to), labels) in &moves {
        let (Some(&(sx, sy, srow)), Some(&(tx, ty, trow))) =
            (at.get(from.as_str()), at.get(to.as_str()))
        else {
            continue;
        };
        let label = labels.join("、");
        let text_w = label.chars().count() as f32 * CHAR_W + 8.0;
        let (d, mx, my, class) = if trow > srow {
            // Forward: bottom centre to top centre.
            let (x1, y1, x2, y2) = (sx, sy + BOX_H, tx, ty - 2.0);
            (
                format!("M{x1:.1},{y1:.1} L{x2:.1},{y2:.1}"),
                (x1 + x2) / 2.0,
                (y1 + y2) / 2.0,
                "move",
            )
        } else if trow == srow {
            // Same row: side to side.
            let (x1, x2) = if tx > sx {
                (sx + BOX_W / 2.0, tx - BOX_W / 2.0 - 2.0)
            } else {
                (sx - BOX_W / 2.0, tx + BOX_W / 2.0 + 2.0)
            };
            let y = sy + BOX_H / 2.0;
            (
                format!("M{x1:.1},{y:.1} L{x2:.1},{y:.1}"),
                (x1 + x2) / 2.0,
                y,
                if from == ANY { "any" } else { "move" },
            )
        } else {
            // Back: out of the left side, round the margin, into the target's left side.
            let x1 = sx - BOX_W / 2.0;
            let x2 = tx - BOX_W / 2.0 - 2.0;
            let y1 = sy + BOX_H / 2.0;
            let y2 = ty + BOX_H / 2.0;
            let lane = LEFT - 70.0 - back_lane;
            back_lane += 34.0;
            let extreme = 0.75 * lane + 0.125 * (x1 + x2);
            (
                format!("M{x1:.1},{y1:.1} C{lane:.1},{y1:.1} {lane:.1},{y2:.1} {x2:.1},{y2:.1}"),
                extreme,
                (y1 + y2) / 2.0,
                "back",
            )
        };
        // Labels stay inside the drawing.
        let mx = mx.clamp(text_w / 2.0 + 2.0, WIDTH as f32 - text_w / 2.0 - 2.0);
        arrows.push(Arrow {
            d,
            label,
            bg_x: mx - text_w / 2.0,
            bg_y: my - 9.0,
            bg_w: text_w,
            text_x: mx,
            text_y: my + 4.0,
            class,
        });
    }
    let label_of = |name: &str| {
        if name == ANY {
            "任一未办结状态".to_owned()
        } else {
            w.state(name).map_or(name.to_owned(), |s| s.label.clone())
        }
    };
    let summary = moves
        .iter()
        .map(|((from, to), labels)| {
            format!(
                "{}：{} → {}",
                labels.join("、"),
                label_of(from),
                label_of(to)
            )
        })
        .collect::<Vec<_>>()
        .join("；");
    Diagram {
        width: WIDTH,
        height: (TOP + rows.len() as f32 * ROW - (ROW - BOX_H) + TOP) as u32,
        boxes,
        arrows,
        summary,
    }
}

/// What an action needs, for people.
fn requirement(r: Requirement) -> &'static str {
    match r {
        Requirement::Comment => "说明",
        Requirement::Evidence => "佐证材料",
        Requirement::DueDate => "完成时限",
        Requirement::Assignee => "责任领导",
        Requirement::Outcome => "整改结果",
        Requirement::Measures => "整改措施",
    }
}

/// An action, in words.
#[derive(Clone, Debug)]
pub struct ActionLine {
    pub label: String,
    pub roles: String,
    pub moves: String,
    pub requires: String,
    pub forbid_owner: bool,
}

fn actions(w: &Workflow) -> Vec<ActionLine> {
    let label_of = |name: &str| {
        if name == ANY {
            "任一未办结状态".to_owned()
        } else {
            w.state(name).map_or(name.to_owned(), |s| s.label.clone())
        }
    };
    w.actions()
        .iter()
        .map(|a| ActionLine {
            label: a.label.clone(),
            roles: a
                .roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join("、"),
            moves: a
                .transitions
                .iter()
                .map(|t| {
                    let long = match t.when_long_term {
                        Some(true) => "（长期坚持类）",
                        Some(false) => "（其他类）",
                        None => "",
                    };
                    if t.from == t.to {
                        format!("{}（状态不变）", label_of(&t.from))
                    } else {
                        format!("{} → {}{long}", label_of(&t.from), label_of(&t.to))
                    }
                })
                .collect::<Vec<_>>()
                .join("；"),
            requires: a
                .requires
                .iter()
                .map(|r| requirement(*r))
                .collect::<Vec<_>>()
                .join("、"),
            forbid_owner: a.forbid_owner,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "web/admin_workflow.html", blocks = ["content", "nav"])]
pub struct WorkflowPage {
    pub shell: Shell,
    pub name: String,
    pub diagram: Diagram,
    pub actions: Vec<ActionLine>,
}
crate::web_page!(WorkflowPage);

/// GET /admin/workflow.
pub async fn page(State(state): State<AppState>, signed: SignedIn, headers: HeaderMap) -> Response {
    match state.services.workflow_in_force(&signed.actor) {
        Ok(w) => render(
            &headers,
            StatusCode::OK,
            &WorkflowPage {
                shell: signed.shell("管理 · 流程", "admin"),
                name: w.name().to_owned(),
                diagram: diagram(&w),
                actions: actions(&w),
            },
        ),
        Err(e) => error_page(&signed, &headers, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_workflow_draws_every_state_and_every_move_once() {
        let w = Workflow::builtin();
        let d = diagram(&w);
        for s in w.states() {
            assert!(d.boxes.iter().any(|b| b.label == s.label), "{}", s.label);
        }
        assert!(d.boxes.iter().any(|b| b.class.contains("any")));
        let labels: Vec<&str> = d.arrows.iter().map(|a| a.label.as_str()).collect();
        for expected in ["交办", "提交验收", "验收销号", "退回", "撤销"] {
            assert!(
                labels.iter().any(|l| l.contains(expected)),
                "{expected}: {labels:?}"
            );
        }
        assert!(
            d.arrows.iter().any(|a| a.class == "back"),
            "退回 and 重新打开 go back"
        );
        // Nothing is drawn outside the drawing.
        for b in &d.boxes {
            assert!(b.x >= 0.0 && b.x + b.w <= d.width as f32);
            assert!(b.y + b.h <= d.height as f32);
        }
        for a in &d.arrows {
            assert!(
                a.bg_x >= 0.0 && a.bg_x + a.bg_w <= d.width as f32,
                "{}",
                a.label
            );
        }
    }
}
