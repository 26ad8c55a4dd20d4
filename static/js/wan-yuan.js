// Amount inputs in 万元 (data-wan-yuan) show what they will store, in 元, as the user types.
// Pure string arithmetic (万元 → 元 is a shift of four places), so no floating-point rounding.
(function () {
  function yuanText(raw) {
    var text = raw.trim().replace(/[,，\s]/g, "");
    var match = /^(\d*)(?:\.(\d*))?$/.exec(text);
    if (!text || !match || (!match[1] && !match[2])) { return ""; }
    var fraction = match[2] || "";
    if (fraction.length > 6) { return "最多六位小数（0.01 元）"; }
    fraction = (fraction + "000000").slice(0, 6);
    var whole = ((match[1] || "0") + fraction.slice(0, 4)).replace(/^0+(?=\d)/, "");
    whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "＝ " + whole + "." + fraction.slice(4) + " 元";
  }
  function show(input) {
    var output = input.parentNode.querySelector("output[data-yuan-for='" + input.id + "']");
    if (!output) {
      output = document.createElement("output");
      output.setAttribute("data-yuan-for", input.id);
      output.className = "yuan-equivalent";
      input.insertAdjacentElement("afterend", output);
    }
    output.textContent = yuanText(input.value);
  }
  document.querySelectorAll("input[data-wan-yuan]").forEach(function (input) {
    show(input);
    input.addEventListener("input", function () { show(input); });
  });
})();
