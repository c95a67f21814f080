//! Keyboard shortcuts: one table, read by the input handling, the menus and
//! the help overlay, so they cannot disagree.

use egui::{Key, KeyboardShortcut, Modifiers};

/// Everything a shortcut (or a menu item) can ask the app to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    New,
    Open,
    Save,
    SaveAs,
    Undo,
    Redo,
    Cut,
    Copy,
    Paste,
    Duplicate,
    Delete,
    SelectAll,
    Deselect,
    Fit,
    ZoomIn,
    ZoomOut,
    AutoLayout,
    Help,
    ExportTerraform,
    ApplyAws,
}

impl Action {
    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::New => "New from template…",
            Self::Open => "Open…",
            Self::Save => "Save",
            Self::SaveAs => "Save as…",
            Self::Undo => "Undo",
            Self::Redo => "Redo",
            Self::Cut => "Cut",
            Self::Copy => "Copy",
            Self::Paste => "Paste",
            Self::Duplicate => "Duplicate",
            Self::Delete => "Delete",
            Self::SelectAll => "Select all",
            Self::Deselect => "Clear selection",
            Self::Fit => "Fit to view",
            Self::ZoomIn => "Zoom in",
            Self::ZoomOut => "Zoom out",
            Self::AutoLayout => "Auto-layout",
            Self::Help => "Keyboard shortcuts",
            Self::ExportTerraform => "Export Terraform…",
            Self::ApplyAws => "Apply to AWS…",
        }
    }

    /// Shortcuts that still work while a text field has the keyboard
    /// (they do not clash with typing).
    pub fn works_while_typing(self) -> bool {
        matches!(
            self,
            Self::New | Self::Open | Self::Save | Self::SaveAs | Self::Help
        )
    }
}

const fn sc(modifiers: Modifiers, key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(modifiers, key)
}

const CMD: Modifiers = Modifiers::COMMAND;
const CMD_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);
const NONE: Modifiers = Modifiers::NONE;

/// Every shortcut, in the order the help overlay lists them. Shortcuts
/// with more modifiers come before the same key with fewer, because egui
/// matches modifiers loosely (Ctrl+Shift+Z also matches Ctrl+Z).
pub const SHORTCUTS: &[(Action, KeyboardShortcut)] = &[
    (Action::New, sc(CMD, Key::N)),
    (Action::Open, sc(CMD, Key::O)),
    (Action::SaveAs, sc(CMD_SHIFT, Key::S)),
    (Action::Save, sc(CMD, Key::S)),
    (Action::Redo, sc(CMD_SHIFT, Key::Z)),
    (Action::Undo, sc(CMD, Key::Z)),
    (Action::Redo, sc(CMD, Key::Y)),
    (Action::Cut, sc(CMD, Key::X)),
    (Action::Copy, sc(CMD, Key::C)),
    (Action::Paste, sc(CMD, Key::V)),
    (Action::Duplicate, sc(CMD, Key::D)),
    (Action::Delete, sc(NONE, Key::Delete)),
    (Action::Delete, sc(NONE, Key::Backspace)),
    (Action::SelectAll, sc(CMD, Key::A)),
    (Action::Deselect, sc(NONE, Key::Escape)),
    (Action::Fit, sc(NONE, Key::F)),
    (Action::ZoomIn, sc(CMD, Key::Equals)),
    (Action::ZoomIn, sc(CMD, Key::Plus)),
    (Action::ZoomOut, sc(CMD, Key::Minus)),
    (Action::AutoLayout, sc(CMD, Key::L)),
    (Action::ExportTerraform, sc(CMD, Key::E)),
    (Action::Help, sc(NONE, Key::F1)),
    (Action::Help, sc(NONE, Key::Questionmark)),
];

/// The first shortcut of an action, for menus.
pub fn shortcut_of(action: Action) -> Option<KeyboardShortcut> {
    SHORTCUTS
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, s)| *s)
}

/// Pointer gestures, for the help overlay.
pub const GESTURES: &[(&str, &str)] = &[
    (
        "Drag a node",
        "move it; across AZ bands or into another region's lane to re-place it",
    ),
    (
        "Drag from a node's port (right edge)",
        "connect it to another node",
    ),
    (
        "Drag empty space",
        "pan (also middle button, Space+drag, or scroll)",
    ),
    ("Shift+drag empty space", "select a rectangle of nodes"),
    (
        "Click / Shift+click",
        "select / add to the selection (nodes, edges, region titles)",
    ),
    ("Ctrl+scroll or pinch", "zoom about the pointer"),
    (
        "Drag a palette item",
        "drop a new node in a lane (click it to add in view)",
    ),
];

/// Consumes this frame's shortcut presses and returns their actions, in
/// table order. While a text field has the keyboard, only shortcuts that do
/// not clash with typing fire.
pub fn pressed(ctx: &egui::Context) -> Vec<Action> {
    let typing = ctx.egui_wants_keyboard_input();
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        for (action, shortcut) in SHORTCUTS {
            if typing && !action.works_while_typing() {
                continue;
            }
            if i.consume_shortcut(shortcut) && !out.contains(action) {
                out.push(*action);
            }
        }
    });
    out
}

/// The help overlay: every shortcut and gesture.
pub fn help_ui(ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    egui::Grid::new("shortcuts")
        .num_columns(2)
        .spacing([24.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            let mut seen: Vec<Action> = Vec::new();
            for (action, _) in SHORTCUTS {
                if seen.contains(action) {
                    continue;
                }
                seen.push(*action);
                let keys: Vec<String> = SHORTCUTS
                    .iter()
                    .filter(|(a, _)| a == action)
                    .map(|(_, s)| ctx.format_shortcut(s))
                    .collect();
                ui.monospace(keys.join("  or  "));
                ui.label(action.label());
                ui.end_row();
            }
            for (gesture, what) in GESTURES {
                ui.strong(*gesture);
                ui.label(*what);
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_shortcut_and_none_is_bound_twice() {
        for action in [
            Action::New,
            Action::Open,
            Action::Save,
            Action::Undo,
            Action::Redo,
            Action::Copy,
            Action::Paste,
            Action::Delete,
            Action::Fit,
            Action::Help,
        ] {
            assert!(shortcut_of(action).is_some(), "{action:?}");
        }
        for (i, (_, a)) in SHORTCUTS.iter().enumerate() {
            for (_, b) in &SHORTCUTS[i + 1..] {
                assert_ne!(a, b, "bound twice");
            }
        }
    }
}
