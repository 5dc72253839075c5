// Applies the saved colour theme before the first paint (no flash of the wrong theme).
(function () {
  try {
    var t = localStorage.getItem('voronka.theme');
    if (t !== 'light' && t !== 'dark') t = window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    document.documentElement.setAttribute('data-theme', t);
  } catch (e) {}
})();
