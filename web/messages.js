// messages.js: how the page tells the user that something went wrong: an error line under the
// control it concerns (shown, or hidden when there is nothing to say), and an error as a
// sentence (message plus full stop).

/** Shows `message` in the error element with id `id`, or hides it for an empty message. */
export function showError(id, message) {
  const e = document.getElementById(id);
  if (!message) {
    e.hidden = true;
    e.textContent = '';
    return;
  }
  e.textContent = message;
  e.hidden = false;
}

/** An Error (or anything thrown) as one sentence for the page. */
export function errorText(err) {
  if (!err) return 'Unknown error';
  const msg = err.message || String(err);
  return msg.endsWith('.') ? msg : `${msg}.`;
}
