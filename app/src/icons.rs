//! Node icons: the SVG files in `assets/icons/`, embedded at build time,
//! parsed once, and painted as vector shapes in the kind's colour.
//!
//! Why not textures: the canvas zooms from 1% to 400%, and a vector icon
//! stays sharp at every size for the price of a few shapes, with no
//! texture uploads or mip levels. Why files at all: the artwork is data,
//! reviewable and viewable in any SVG viewer, not code. The files use the
//! small SVG subset described in `assets/icons/README.md`; anything outside
//! it is refused with the file and element named (and a test parses every
//! icon, so a bad file fails the build's tests, not a user's canvas).

use std::sync::OnceLock;

use egui::{Color32, Painter, Pos2, Rect, Shape, Stroke, Vec2, pos2, vec2};
use topoplan_core::model::NodeKind;

/// The embedded icon files, by kind.
fn source(kind: NodeKind) -> (&'static str, &'static str) {
    macro_rules! icon {
        ($name:literal) => {
            (
                $name,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../assets/icons/",
                    $name,
                    ".svg"
                )),
            )
        };
    }
    match kind {
        NodeKind::Dns => icon!("dns"),
        NodeKind::Cdn => icon!("cdn"),
        NodeKind::LoadBalancer => icon!("load_balancer"),
        NodeKind::ApiGateway => icon!("api_gateway"),
        NodeKind::Service => icon!("service"),
        NodeKind::Cache => icon!("cache"),
        NodeKind::Queue => icon!("queue"),
        NodeKind::Database => icon!("database"),
        NodeKind::ObjectStore => icon!("object_store"),
        NodeKind::External => icon!("external"),
    }
}

/// One drawable element of an icon, in the 24 × 24 icon space.
#[derive(Clone, Debug, PartialEq)]
pub enum Primitive {
    Circle {
        center: Pos2,
        radius: f32,
    },
    Ellipse {
        center: Pos2,
        radius: Vec2,
    },
    Rect {
        rect: Rect,
        corner: f32,
    },
    /// A polyline (closed: a polygon); paths are flattened into these.
    Line {
        points: Vec<Pos2>,
        closed: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub primitive: Primitive,
    /// Filled with the colour rather than stroked.
    pub fill: bool,
    pub opacity: f32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Icon {
    pub elements: Vec<Element>,
}

/// The parsed icon of a kind (parsed once, on first use).
pub fn icon(kind: NodeKind) -> &'static Icon {
    static ICONS: OnceLock<Vec<Icon>> = OnceLock::new();
    let icons = ICONS.get_or_init(|| {
        NodeKind::ALL
            .iter()
            .map(|&k| {
                let (name, svg) = source(k);
                // The tests parse every icon; an icon that somehow fails
                // draws nothing rather than taking the app down.
                parse(name, svg).unwrap_or_default()
            })
            .collect()
    });
    let index = NodeKind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
    &icons[index]
}

/// Paints `kind`'s icon centred at `center`, `half` pixels from the centre
/// to the edge of its main shape.
pub fn paint(painter: &Painter, kind: NodeKind, center: Pos2, half: f32, color: Color32) {
    let unit = half / 10.0;
    let at = |p: Pos2| center + (p - pos2(12.0, 12.0)) * unit;
    let width = (half * 0.16).max(1.0);
    for element in &icon(kind).elements {
        let color = color.gamma_multiply(element.opacity);
        let stroke = Stroke::new(width, color);
        match &element.primitive {
            Primitive::Circle { center: c, radius } => {
                if element.fill {
                    painter.circle_filled(at(*c), radius * unit, color);
                } else {
                    painter.circle_stroke(at(*c), radius * unit, stroke);
                }
            }
            Primitive::Ellipse { center: c, radius } => {
                let shape = if element.fill {
                    Shape::ellipse_filled(at(*c), *radius * unit, color)
                } else {
                    Shape::ellipse_stroke(at(*c), *radius * unit, stroke)
                };
                painter.add(shape);
            }
            Primitive::Rect { rect, corner } => {
                let r = Rect::from_min_max(at(rect.min), at(rect.max));
                let corner = corner * unit;
                if element.fill {
                    painter.rect_filled(r, corner, color);
                } else {
                    painter.rect_stroke(r, corner, stroke, egui::StrokeKind::Middle);
                }
            }
            Primitive::Line { points, closed } => {
                let points: Vec<Pos2> = points.iter().map(|&p| at(p)).collect();
                let shape = match (element.fill, closed) {
                    (true, _) => Shape::convex_polygon(points, color, Stroke::NONE),
                    (false, true) => Shape::closed_line(points, stroke),
                    (false, false) => Shape::line(points, stroke),
                };
                painter.add(shape);
            }
        }
    }
}

/// Parses an icon file (see the module docs for the subset accepted).
pub fn parse(name: &str, svg: &str) -> Result<Icon, String> {
    let mut icon = Icon::default();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after
            .find('>')
            .ok_or_else(|| format!("{name}.svg: a tag is not closed"))?;
        let tag = after[..end].trim_end_matches('/').trim();
        rest = &after[end + 1..];
        if tag.starts_with(['?', '!', '/']) {
            continue;
        }
        let (element, attributes) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        let attrs =
            attributes_of(attributes).map_err(|e| format!("{name}.svg: <{element}>: {e}"))?;
        let get = |key: &str| -> Result<f32, String> {
            let v = attrs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| *v)
                .ok_or_else(|| format!("{name}.svg: <{element}> has no {key}"))?;
            v.parse()
                .map_err(|_| format!("{name}.svg: <{element}> {key}=\"{v}\" is not a number"))
        };
        let fill = attrs
            .iter()
            .any(|(k, v)| *k == "fill" && *v == "currentColor");
        let opacity = attrs
            .iter()
            .find(|(k, _)| *k == "opacity")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1.0_f32)
            .clamp(0.0, 1.0);
        let primitive = match element {
            "svg" | "title" => continue,
            "circle" => Primitive::Circle {
                center: pos2(get("cx")?, get("cy")?),
                radius: get("r")?,
            },
            "ellipse" => Primitive::Ellipse {
                center: pos2(get("cx")?, get("cy")?),
                radius: vec2(get("rx")?, get("ry")?),
            },
            "line" => Primitive::Line {
                points: vec![pos2(get("x1")?, get("y1")?), pos2(get("x2")?, get("y2")?)],
                closed: false,
            },
            "rect" => Primitive::Rect {
                rect: Rect::from_min_size(
                    pos2(get("x")?, get("y")?),
                    vec2(get("width")?, get("height")?),
                ),
                corner: get("rx").unwrap_or(0.0),
            },
            "polyline" | "polygon" => {
                let points = attrs
                    .iter()
                    .find(|(k, _)| *k == "points")
                    .map(|(_, v)| numbers(v))
                    .transpose()
                    .map_err(|e| format!("{name}.svg: <{element}> points: {e}"))?
                    .unwrap_or_default();
                if points.len() < 4 || points.len() % 2 != 0 {
                    return Err(format!(
                        "{name}.svg: <{element}> needs at least two x,y points"
                    ));
                }
                Primitive::Line {
                    points: points.chunks(2).map(|p| pos2(p[0], p[1])).collect(),
                    closed: element == "polygon",
                }
            }
            "path" => {
                let d = attrs
                    .iter()
                    .find(|(k, _)| *k == "d")
                    .map(|(_, v)| *v)
                    .ok_or_else(|| format!("{name}.svg: <path> has no d"))?;
                path(d).map_err(|e| format!("{name}.svg: <path d=\"{d}\">: {e}"))?
            }
            other => {
                return Err(format!(
                    "{name}.svg: <{other}> is not in the icon subset (circle, ellipse, line, polyline, polygon, rect, path)"
                ));
            }
        };
        icon.elements.push(Element {
            primitive,
            fill,
            opacity,
        });
    }
    if icon.elements.is_empty() {
        return Err(format!("{name}.svg: draws nothing"));
    }
    Ok(icon)
}

/// `key="value"` pairs.
fn attributes_of(text: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (key, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("attribute without a value near {rest:?}"))?;
        let after = after.trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| format!("unquoted value for {}", key.trim()))?;
        let value_end = after[1..]
            .find(quote)
            .ok_or_else(|| format!("unterminated value for {}", key.trim()))?;
        out.push((key.trim(), &after[1..=value_end]));
        rest = after[value_end + 2..].trim_start();
    }
    Ok(out)
}

/// Numbers separated by spaces or commas.
fn numbers(text: &str) -> Result<Vec<f32>, String> {
    text.split([' ', ',', '\n', '\t'])
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("\"{s}\" is not a number")))
        .collect()
}

/// A path of absolute `M`, `L`, `C` and `Z` commands, flattened.
fn path(data: &str) -> Result<Primitive, String> {
    let spaced: String = data
        .chars()
        .flat_map(|c| {
            if c.is_ascii_alphabetic() {
                vec![' ', c, ' ']
            } else {
                vec![c]
            }
        })
        .collect();
    let tokens: Vec<&str> = spaced
        .split([' ', ',', '\n', '\t'])
        .filter(|s| !s.is_empty())
        .collect();
    let mut points: Vec<Pos2> = Vec::new();
    let mut closed = false;
    let mut at = 0;
    let number = |at: usize| -> Result<f32, String> {
        tokens
            .get(at)
            .ok_or_else(|| "ends early".to_owned())?
            .parse()
            .map_err(|_| format!("\"{}\" is not a number", tokens[at]))
    };
    while at < tokens.len() {
        match tokens[at] {
            "M" | "L" => {
                if tokens[at] == "M" && !points.is_empty() {
                    return Err("only one M (one subpath) per path".to_owned());
                }
                points.push(pos2(number(at + 1)?, number(at + 2)?));
                at += 3;
            }
            "C" => {
                let start = *points.last().ok_or("C before M")?;
                let c1 = pos2(number(at + 1)?, number(at + 2)?);
                let c2 = pos2(number(at + 3)?, number(at + 4)?);
                let end = pos2(number(at + 5)?, number(at + 6)?);
                for step in 1..=12u8 {
                    let t = f32::from(step) / 12.0;
                    let rest = 1.0 - t;
                    let p = start.to_vec2() * (rest * rest * rest)
                        + c1.to_vec2() * (3.0 * rest * rest * t)
                        + c2.to_vec2() * (3.0 * rest * t * t)
                        + end.to_vec2() * (t * t * t);
                    points.push(p.to_pos2());
                }
                at += 7;
            }
            "Z" => {
                closed = true;
                at += 1;
            }
            other => return Err(format!("command {other:?} is not supported (M, L, C, Z)")),
        }
    }
    if points.len() < 2 {
        return Err("draws nothing".to_owned());
    }
    Ok(Primitive::Line { points, closed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_an_icon_inside_its_24_unit_box() {
        for kind in NodeKind::ALL {
            let (name, svg) = source(kind);
            assert_eq!(name, kind.as_str());
            let icon = parse(name, svg).unwrap();
            assert!(!icon.elements.is_empty());
            let inside = |p: Pos2| (0.0..=24.0).contains(&p.x) && (0.0..=24.0).contains(&p.y);
            for e in &icon.elements {
                let ok = match &e.primitive {
                    Primitive::Circle { center, radius } => {
                        inside(*center - Vec2::splat(*radius))
                            && inside(*center + Vec2::splat(*radius))
                    }
                    Primitive::Ellipse { center, radius } => {
                        inside(*center - *radius) && inside(*center + *radius)
                    }
                    Primitive::Rect { rect, .. } => inside(rect.min) && inside(rect.max),
                    Primitive::Line { points, .. } => points.iter().all(|p| inside(*p)),
                };
                assert!(ok, "{name}: {e:?} leaves the box");
            }
        }
    }

    #[test]
    fn shapes_outside_the_subset_are_refused_by_name() {
        let err = parse(
            "x",
            r#"<svg viewBox="0 0 24 24"><text x="1" y="2">hi</text></svg>"#,
        )
        .unwrap_err();
        assert!(err.contains("<text> is not in the icon subset"), "{err}");
        let err = parse("x", r#"<svg><path d="M1 1 A 2 2 0 0 1 3 3"/></svg>"#).unwrap_err();
        assert!(err.contains("\"A\" is not supported"), "{err}");
        let err = parse("x", r#"<svg><circle cx="1" cy="oops" r="2"/></svg>"#).unwrap_err();
        assert!(err.contains("cy=\"oops\" is not a number"), "{err}");
    }

    #[test]
    fn fill_and_opacity_are_read() {
        let icon = parse(
            "q",
            r#"<svg><rect x="1" y="2" width="3" height="4" rx="0.5" fill="currentColor" opacity="0.5"/></svg>"#,
        )
        .unwrap();
        assert_eq!(
            icon.elements,
            [Element {
                primitive: Primitive::Rect {
                    rect: Rect::from_min_size(pos2(1.0, 2.0), vec2(3.0, 4.0)),
                    corner: 0.5
                },
                fill: true,
                opacity: 0.5
            }]
        );
    }
}
