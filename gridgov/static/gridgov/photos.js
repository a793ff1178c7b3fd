// Photos from the camera, shrunk on the phone before upload: at most 1600 px on the long side,
// JPEG. A 12-megapixel photo becomes a few hundred kilobytes, which a weak mobile network
// can carry and the phone's offline queue can hold.
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.85;

  function viaElement(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      img.src = url;
    });
  }

  function decode(file) {
    if (window.createImageBitmap) {
      // "from-image": turn the pixels the way the camera's EXIF orientation says.
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () {
        return viaElement(file);
      });
    }
    return viaElement(file);
  }

  function resize(file, maxSide) {
    maxSide = maxSide || MAX_SIDE;
    return decode(file).then(function (img) {
      var w = img.width, h = img.height;
      var scale = Math.min(1, maxSide / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; // transparent PNGs get a white background, not black
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      if (img.close) img.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (blob) resolve(blob); else reject(new Error("encoding failed"));
        }, "image/jpeg", QUALITY);
      });
    });
  }

  function jpegName(name) {
    return String(name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
  }

  // Keep the photos chosen with an <input type=file>: each choice adds to the list (a camera
  // input gives one photo at a time), with thumbnails and a remove button. replaceInput: put
  // the shrunk files back into the input, for a form posted the ordinary way.
  function attach(input, list, options) {
    options = options || {};
    var texts = options.texts || {};
    var max = options.max || 9;
    var items = [];
    var pending = Promise.resolve();

    function sync() {
      if (options.replaceInput && window.DataTransfer) {
        var dt = new DataTransfer();
        items.forEach(function (it) {
          dt.items.add(new File([it.blob], it.name, { type: "image/jpeg" }));
        });
        input.files = dt.files;
      }
      render();
      if (options.onChange) options.onChange(items.slice());
    }

    function render() {
      if (!list) return;
      list.innerHTML = "";
      items.forEach(function (it, index) {
        var li = document.createElement("li");
        var img = document.createElement("img");
        img.src = it.url;
        img.alt = it.name;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "linkbutton";
        remove.textContent = texts.photo_remove || "×";
        remove.addEventListener("click", function () {
          URL.revokeObjectURL(it.url);
          items.splice(index, 1);
          sync();
        });
        li.appendChild(img);
        li.appendChild(remove);
        list.appendChild(li);
      });
    }

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) return;
      pending = Promise.all(files.map(function (file) {
        return resize(file).then(
          function (blob) { return { name: jpegName(file.name), blob: blob }; },
          function () {
            if (options.onError) options.onError(file.name);
            return null;
          }
        );
      })).then(function (done) {
        done.forEach(function (it) {
          if (it && items.length < max) {
            it.url = URL.createObjectURL(it.blob);
            items.push(it);
          }
        });
        if (!options.replaceInput) input.value = "";
        sync();
      });
    });

    return {
      items: function () { return items.slice(); },
      ready: function () { return pending; },
      clear: function () {
        items.forEach(function (it) { URL.revokeObjectURL(it.url); });
        items = [];
        input.value = "";
        sync();
      },
    };
  }

  window.GridgovPhotos = { resize: resize, attach: attach, MAX_SIDE: MAX_SIDE };
})();
