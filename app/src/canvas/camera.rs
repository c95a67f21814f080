//! The one place canvas and screen coordinates meet.

use egui::{Pos2, Rect, Vec2};

/// Canvas → screen: `screen = canvas * scale + offset`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    pub scale: f32,
    pub offset: Vec2,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            scale: 1.0,
            offset: Vec2::ZERO,
        }
    }
}

impl Camera {
    /// Small enough to fit a 10,000-node estate (about 2 million units wide).
    pub const MIN_SCALE: f32 = 0.0005;
    pub const MAX_SCALE: f32 = 4.0;

    /// Canvas → screen.
    pub fn to_screen(&self, p: Pos2) -> Pos2 {
        (p.to_vec2() * self.scale + self.offset).to_pos2()
    }

    /// Screen → canvas.
    pub fn to_canvas(&self, p: Pos2) -> Pos2 {
        ((p.to_vec2() - self.offset) / self.scale).to_pos2()
    }

    pub fn rect_to_screen(&self, r: Rect) -> Rect {
        Rect::from_min_max(self.to_screen(r.min), self.to_screen(r.max))
    }

    pub fn rect_to_canvas(&self, r: Rect) -> Rect {
        Rect::from_min_max(self.to_canvas(r.min), self.to_canvas(r.max))
    }

    /// Space kept around a fitted diagram, in screen pixels.
    const FIT_MARGIN: f32 = 16.0;
    /// A fit never zooms in further: a small diagram is not blown up.
    const FIT_MAX_SCALE: f32 = 1.5;

    /// The part of `viewport` a fitted diagram may take.
    fn fit_area(viewport: Rect) -> Vec2 {
        (viewport.size() - Vec2::splat(2.0 * Self::FIT_MARGIN)).max(Vec2::splat(1.0))
    }

    /// Shows all of `bounds` centred in `viewport`, with a margin.
    pub fn fit(&mut self, bounds: Rect, viewport: Rect) {
        if !bounds.is_positive() || !viewport.is_positive() {
            return;
        }
        let avail = Self::fit_area(viewport);
        self.scale = (avail.x / bounds.width())
            .min(avail.y / bounds.height())
            .clamp(Self::MIN_SCALE, Self::FIT_MAX_SCALE);
        self.offset = viewport.center().to_vec2() - bounds.center().to_vec2() * self.scale;
    }

    /// How tall (canvas units) a diagram `width` units wide can be and
    /// still be fitted in `viewport` at the scale its width allows: the
    /// height that fills the view instead of leaving bands above and below.
    pub fn fit_height(width: f32, viewport: Rect) -> f32 {
        let avail = Self::fit_area(viewport);
        let scale = (avail.x / width.max(1.0)).clamp(Self::MIN_SCALE, Self::FIT_MAX_SCALE);
        avail.y / scale
    }

    /// Zooms by `factor`, keeping the canvas point under `anchor` (a screen
    /// point) where it is.
    pub fn zoom_about(&mut self, factor: f32, anchor: Pos2) {
        let before = self.to_canvas(anchor);
        self.scale = (self.scale * factor).clamp(Self::MIN_SCALE, Self::MAX_SCALE);
        self.offset = anchor.to_vec2() - before.to_vec2() * self.scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{pos2, vec2};

    #[test]
    fn screen_and_canvas_round_trip() {
        let camera = Camera {
            scale: 1.7,
            offset: vec2(-30.0, 12.5),
        };
        let p = pos2(123.0, -45.0);
        let back = camera.to_canvas(camera.to_screen(p));
        assert!((back - p).length() < 1e-3);
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let mut camera = Camera {
            scale: 0.8,
            offset: vec2(10.0, 20.0),
        };
        let cursor = pos2(400.0, 300.0);
        let under = camera.to_canvas(cursor);
        camera.zoom_about(1.6, cursor);
        assert!((camera.to_screen(under) - cursor).length() < 1e-3);
        assert!((camera.scale - 1.28).abs() < 1e-5);
    }

    #[test]
    fn fit_shows_everything() {
        let mut camera = Camera::default();
        let bounds = Rect::from_min_size(pos2(0.0, 0.0), vec2(2000.0, 800.0));
        let viewport = Rect::from_min_size(pos2(0.0, 40.0), vec2(1000.0, 600.0));
        camera.fit(bounds, viewport);
        let shown = camera.rect_to_screen(bounds);
        assert!(viewport.contains_rect(shown), "{shown:?}");
    }

    #[test]
    fn a_diagram_as_tall_as_fit_height_fills_the_view_both_ways() {
        let viewport = Rect::from_min_size(pos2(0.0, 40.0), vec2(1000.0, 600.0));
        let height = Camera::fit_height(2000.0, viewport);
        let bounds = Rect::from_min_size(pos2(0.0, 0.0), vec2(2000.0, height));
        let mut camera = Camera::default();
        camera.fit(bounds, viewport);
        let shown = camera.rect_to_screen(bounds);
        assert!(viewport.contains_rect(shown.shrink(0.01)), "{shown:?}");
        assert!((shown.width() - (1000.0 - 32.0)).abs() < 0.1, "{shown:?}");
        assert!((shown.height() - (600.0 - 32.0)).abs() < 0.1, "{shown:?}");
    }
}
