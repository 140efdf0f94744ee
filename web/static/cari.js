/* Cari: results as you type, completions, and "/" to search. Optional: every page works without it.
 *
 * Typing waits for a pause (DEBOUNCE_MS), then fetches the same results page a
 * submitted form would open and swaps it in, keeping the search box (and its
 * caret) the reader is typing in. The address follows: the first change of a
 * typing session is a new history entry, the next ones replace it, so Back
 * returns to the results before the typing and a copied link opens what is shown.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var SUGGEST_MS = 120;
  var searchTimer = null;
  var suggestTimer = null;
  var pending = null;
  var requestNumber = 0;
  var pushedThisSession = false;
  var shown = location.pathname + location.search;  // the address whose results are on the page

  function box() {
    return document.querySelector('input[name="q"]');
  }

  function editing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // "/" anywhere but in a field puts the caret in the search box.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || editing(event.target)) {
      return;
    }
    var input = box();
    if (input) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });

  function searchUrl(input) {
    var form = input.form;
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value !== "" && name !== "page" && !(name === "sort" && value === "relevance")) {
        params.append(name, value);
      }
    });
    var action = new URL(form.getAttribute("action") || location.pathname, location.href);
    var query = params.toString();
    return action.pathname + (query ? "?" + query : "");
  }

  // Put a fetched page in place of this one, keeping the search box being typed in.
  function showPage(html, keepInput) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var fresh = page.querySelector('input[name="q"]');
    if (!page.body || !fresh) {
      return false;
    }
    var start = keepInput.selectionStart;
    var end = keepInput.selectionEnd;
    var hadFocus = document.activeElement === keepInput;
    var listId = keepInput.getAttribute("list");
    var keepList = listId && document.getElementById(listId);
    var freshList = listId && page.getElementById(listId);
    fresh.replaceWith(keepInput);
    if (keepList && freshList) {
      freshList.replaceWith(keepList);  // the completions shown stay while the results change
    }
    document.title = page.title;
    document.body.className = page.body.className;
    document.body.replaceChildren.apply(document.body, Array.prototype.slice.call(page.body.childNodes));
    if (hadFocus) {
      keepInput.focus();
      try {
        keepInput.setSelectionRange(start, end);
      } catch (ignored) { /* type=search may refuse a selection */ }
    }
    return true;
  }

  function load(url, input, how) {
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    var number = ++requestNumber;
    document.documentElement.classList.add("loading");
    fetch(url, { signal: pending.signal, headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (number !== requestNumber) {
          return;
        }
        if (how === "push") {
          history.pushState({ cari: true }, "", url);
        } else if (how === "replace") {
          history.replaceState({ cari: true }, "", url);
        }
        shown = url;
        showPage(html, input);
      })
      .catch(function () { /* aborted by newer typing, or offline: the form still submits */ })
      .finally(function () {
        if (number === requestNumber) {
          document.documentElement.classList.remove("loading");
        }
      });
  }

  function typed(input) {
    var url = searchUrl(input);
    if (url === shown) {
      return;
    }
    load(url, input, pushedThisSession ? "replace" : "push");
    pushedThisSession = true;
  }

  function suggest(input) {
    var text = input.value.trim();
    if (text.length < 2) {
      return;
    }
    fetch("/api/suggest?q=" + encodeURIComponent(text) + "&limit=8")
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) {
        var list = document.getElementById(input.getAttribute("list"));
        if (!list || input.value.trim() !== text) {
          return;
        }
        var options = data.suggestions.map(function (item) {
          var option = document.createElement("option");
          option.value = item.text;
          return option;
        });
        list.replaceChildren.apply(list, options);
      })
      .catch(function () { /* no completions: nothing else changes */ });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input || input.name !== "q" || !input.form) {
      return;
    }
    clearTimeout(searchTimer);
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(function () { suggest(input); }, SUGGEST_MS);
    searchTimer = setTimeout(function () {
      if (input.value.trim() || input.form.querySelector("[name=source]")) {
        typed(input);
      }
    }, DEBOUNCE_MS);
  });

  // Enter still submits the form: a new page, so a new typing session after it.
  document.addEventListener("submit", function () {
    clearTimeout(searchTimer);
    pushedThisSession = false;
  });

  // A click on a link ends the typing session: the next typing starts a new history entry.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("a")) {
      pushedThisSession = false;
    }
  });

  // Back and Forward over entries this script made: show the page of that address.
  window.addEventListener("popstate", function () {
    if (location.pathname + location.search === shown) {
      return;  // only the #fragment changed (the skip link): the page is the same
    }
    var input = box();
    pushedThisSession = false;
    if (!input) {
      location.reload();
      return;
    }
    var wanted = new URL(location.href).searchParams.get("q") || "";
    input.value = wanted;
    load(location.pathname + location.search, input, "none");
  });
})();
