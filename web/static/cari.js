/* Cari: results as you type, completions, and "/" to search. Optional: every page works without it.
 *
 * Typing waits for a pause (DEBOUNCE_MS), then fetches the results page with
 * prefix=1 (the last word completed: "gem" shows articles on gempa) and swaps
 * it in, keeping the search box (and its caret) the reader is typing in. A last
 * word of one or two letters waits for the next. The address follows with the
 * words as typed (what a link to them searches): the first change of a typing
 * session is a new history entry, the next ones replace it, and Enter replaces
 * it with the results of the words as typed: one entry a search, so Back
 * returns to the results before it.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");  // the style hides what the script makes needless

  var DEBOUNCE_MS = 250;
  var PREFIX_FROM = 3;  // letters of a last word before it is completed (the server's PREFIX_FROM)
  var SUGGEST_MS = 120;
  var searchTimer = null;
  var suggestTimer = null;
  var pending = null;
  var requestNumber = 0;
  var pushedThisSession = false;
  var shown = location.pathname + location.search;  // the page (the address fetched) whose results are shown
  var shownAddress = shown;  // the address bar's for it (the words as typed, without prefix=1)

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

  // The words being typed, without a last word too short to complete ("gempa a" -> "gempa"),
  // and whether the last word is being typed (no space after it) and long enough to complete.
  function typedWords(value) {
    var words = value.replace(/\s+/g, " ");
    var last = words.match(/(^|\s)(\w+)$/);
    if (last && last[2].length < PREFIX_FROM) {
      return { words: words.slice(0, words.length - last[2].length).trim(), completing: false };
    }
    return { words: words.trim(), completing: Boolean(last) };
  }

  function searchUrl(input, asYouType) {
    var form = input.form;
    var params = new URLSearchParams();
    var typing = typedWords(input.value);
    new FormData(form).forEach(function (value, name) {
      if (name === "q") {
        value = asYouType ? typing.words : value.trim();
      }
      if (value !== "" && name !== "page" && !(name === "sort" && value === "relevance")) {
        params.append(name, value);
      }
    });
    if (asYouType && typing.completing) {
      params.append("prefix", "1");
    }
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

  // ``shownThen``: called once this page is shown and its history entry made (not if newer typing aborted it).
  function load(url, input, how, address, shownThen) {
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
          history.pushState({ cari: true }, "", address || url);
        } else if (how === "replace") {
          history.replaceState({ cari: true }, "", address || url);
        }
        shown = url;
        shownAddress = address || url;
        showPage(html, input);
        if (shownThen) {
          shownThen();
        }
      })
      .catch(function () { /* aborted by newer typing, or offline: the form still submits */ })
      .finally(function () {
        if (number === requestNumber) {
          document.documentElement.classList.remove("loading");
        }
      });
  }

  function typed(input) {
    var url = searchUrl(input, true);
    if (url === shown || !(new URL(url, location.href).searchParams.get("q") || input.form.querySelector("[name=source]"))) {
      return;
    }
    // The typing's entry exists once a push is shown: a first fetch aborted by the next letter (a slow
    // answer) pushed nothing, so the next one pushes (else every later fetch replaced the page before).
    load(url, input, pushedThisSession ? "replace" : "push", searchUrl(input, false), function () {
      pushedThisSession = true;
    });
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

  // A filter (source, dates, order) applies when changed, as a new history entry.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field || !field.closest || !field.closest(".filters") || !field.form) {
      return;
    }
    var input = field.form.querySelector('input[name="q"]');
    if (input) {
      clearTimeout(searchTimer);
      pushedThisSession = false;
      load(searchUrl(input, false), input, "push");
    }
  });

  // Enter searches the words as typed. After results as you type, it takes the place of their
  // history entry (one entry a search); otherwise the form submits as it would without this script.
  document.addEventListener("submit", function (event) {
    clearTimeout(searchTimer);
    var input = event.target.querySelector && event.target.querySelector('input[name="q"]');
    if (input && pushedThisSession && input.form === event.target) {
      event.preventDefault();
      load(searchUrl(input, false), input, "replace");
    }
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
    if (location.pathname + location.search === shownAddress) {
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
