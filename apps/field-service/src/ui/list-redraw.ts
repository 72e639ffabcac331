/** What a screen's route is called (`work`, `errors`, …); only compared for equality here. */
type View = string;

export interface ListRedraw {
  /** Redraw `view` after the delay (a burst of requests makes one redraw). */
  request(view: View): void;
  /** The user left the screen: a redraw asked for it must not happen. */
  cancel(): void;
}

/**
 * A list screen redrawn a little after the data under it changed. The redraw only ever draws the
 * screen it was asked for: if the user has gone elsewhere since (a case, a form half filled in),
 * drawing the current route again would replace it under their fingers — the focused field and
 * what was typed in it would be lost.
 */
export function listRedraw(render: () => void, currentView: () => View, delayMs: number): ListRedraw {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    request(view) {
      cancel();
      timer = setTimeout(() => {
        timer = undefined;
        if (currentView() === view) render();
      }, delayMs);
    },
    cancel,
  };
}
