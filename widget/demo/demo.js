// The sample site's own script: a button that opens the chat, and the unread count next to it.
document.addEventListener('DOMContentLoaded', () => {
  const unread = document.getElementById('unread');
  document.getElementById('talk').addEventListener('click', () => window.Switchboard?.open());
  window.addEventListener('switchboard:unread', (event) => {
    const count = event.detail.count;
    unread.hidden = count === 0;
    unread.textContent = `${count} new`;
  });
});
