// The survey upload page's progress bar while a large file is checked or imported (polls the status URL).
(function () {
  var box = document.getElementById("survey-state");
  if (!box || box.dataset.busy !== "1") { return; }
  var bar = document.getElementById("survey-progress");
  var text = document.getElementById("survey-progress-text");
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      bar.value = s.progress; text.textContent = s.progress + "%";
      document.getElementById("survey-state-label").textContent = s.state_label;
      if (s.busy) { setTimeout(poll, 1500); } else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
