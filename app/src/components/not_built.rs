use leptos::prelude::*;

/// An honest marker for a part of a page that does not exist yet. It names the
/// missing piece instead of showing a mock-up that looks like it works.
#[component]
pub fn NotBuilt(
    /// What is missing, in the user's words.
    what: &'static str,
    /// What the user can do meanwhile, if anything.
    #[prop(optional)]
    meanwhile: Option<&'static str>,
) -> impl IntoView {
    view! {
        <aside class="not-built" data-testid="not-built">
            <strong>"Not built yet: "</strong>
            {what}
            {meanwhile.map(|m| view! { <p class="meanwhile">{m}</p> })}
        </aside>
    }
}
