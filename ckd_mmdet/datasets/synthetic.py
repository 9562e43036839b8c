# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""A synthetic detection set in COCO format, generated offline and deterministically.

Each class is a (shape, colour) pair, so shape alone or colour alone never decides the class.
Objects vary in scale and aspect, occlude each other (boxes are the *visible* extent; mostly
hidden objects are dropped), and sit among unlabelled clutter on textured backgrounds.

    python -m ckd_mmdet.datasets.synthetic data/shapes --train 800 --val 200 --size 160
"""
import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SHAPES = ('disc', 'square', 'triangle', 'cross', 'ring', 'diamond')
COLOURS = {'red': (210, 50, 40), 'green': (50, 170, 60), 'blue': (40, 80, 210),
           'yellow': (220, 200, 40)}
# Every shape appears in two colours and every colour on three shapes.
CLASSES = tuple(f'{colour}_{shape}' for shape, colour in (
    ('disc', 'red'), ('disc', 'blue'), ('square', 'red'), ('square', 'green'),
    ('triangle', 'blue'), ('triangle', 'yellow'), ('cross', 'green'), ('cross', 'yellow'),
    ('ring', 'red'), ('ring', 'blue'), ('diamond', 'green'), ('diamond', 'yellow')))
_CLUTTER_COLOURS = ((128, 128, 128), (90, 60, 30), (230, 230, 230), (160, 90, 160))


def _polygon(shape, box):
    x1, y1, x2, y2 = box
    cx, cy, w, h = (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1
    if shape == 'triangle':
        return [(x1, y2), (cx, y1), (x2, y2)]
    if shape == 'diamond':
        return [(cx, y1), (x2, cy), (cx, y2), (x1, cy)]
    if shape == 'cross':
        a, b = w / 3, h / 3
        return [(x1 + a, y1), (x1 + 2 * a, y1), (x1 + 2 * a, y1 + b), (x2, y1 + b),
                (x2, y1 + 2 * b), (x1 + 2 * a, y1 + 2 * b), (x1 + 2 * a, y2), (x1 + a, y2),
                (x1 + a, y1 + 2 * b), (x1, y1 + 2 * b), (x1, y1 + b), (x1 + a, y1 + b)]
    return None


def _draw(draw, shape, box, fill):
    x1, y1, x2, y2 = box
    if shape == 'disc':
        draw.ellipse(box, fill=fill)
    elif shape == 'ring':
        draw.ellipse(box, outline=fill, width=max(2, int(min(x2 - x1, y2 - y1) / 5)))
    elif shape == 'square':
        draw.rectangle(box, fill=fill)
    else:
        draw.polygon(_polygon(shape, box), fill=fill)


def _background(rng, size, texture):
    """Two-colour gradient, noise and random stripes; ``texture`` in [0, 1] scales them."""
    start, end = rng.integers(40, 215, size=(2, 3))
    ramp = np.linspace(0, 1, size)[:, None, None]
    if rng.random() < 0.5:
        ramp = ramp.transpose(1, 0, 2)
    pixels = start + (end - start) * ramp + rng.normal(0, 25 * texture, (size, size, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(0, 1 + 8 * texture))):
        points = [tuple(int(v) for v in rng.integers(0, size, 2)) for _ in range(2)]
        shade = tuple(int(v) for v in np.clip(start + rng.integers(-40, 40, 3), 0, 255))
        draw.line(points, fill=shade, width=int(rng.integers(1, 4)))
    return image


def _jitter(rng, colour, amount=25):
    return tuple(int(v) for v in np.clip(np.array(colour) + rng.integers(-amount, amount, 3),
                                         0, 255))


def render_image(rng, size=160, max_objects=6, min_scale=0.1, max_scale=0.45,
                 max_aspect=1.6, clutter=4, texture=1.0, min_visible=0.4):
    """One image and its annotations ``[(label, (x1, y1, x2, y2)), ...]``.

    Boxes are the visible extent; objects with less than ``min_visible`` of their pixels left
    after occlusion are dropped (they stay in the image as hard negatives).
    """
    image = _background(rng, size, texture)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(0, clutter + 1))):  # unlabelled distractors
        side = rng.uniform(min_scale, max_scale) * size * 0.6
        x1, y1 = rng.uniform(0, size - side, 2)
        _draw(draw, SHAPES[rng.integers(len(SHAPES))], (x1, y1, x1 + side, y1 + side),
              _jitter(rng, _CLUTTER_COLOURS[rng.integers(len(_CLUTTER_COLOURS))]))
    owner = Image.new('I', (size, size), 0)  # which object each pixel shows
    objects = []
    for index in range(1, int(rng.integers(1, max_objects + 1)) + 1):
        label = int(rng.integers(len(CLASSES)))
        colour, shape = CLASSES[label].split('_')
        side = rng.uniform(min_scale, max_scale) * size
        aspect = np.exp(rng.uniform(-np.log(max_aspect), np.log(max_aspect)))
        w, h = min(side * np.sqrt(aspect), size - 2), min(side / np.sqrt(aspect), size - 2)
        x1, y1 = rng.uniform(0, size - w), rng.uniform(0, size - h)
        box = (x1, y1, x1 + w, y1 + h)
        _draw(draw, shape, box, _jitter(rng, COLOURS[colour]))
        alone = Image.new('L', (size, size), 0)
        _draw(ImageDraw.Draw(alone), shape, box, 1)
        _draw(ImageDraw.Draw(owner), shape, box, index)
        objects.append((index, label, np.count_nonzero(np.asarray(alone))))
    owner = np.asarray(owner)
    annotations = []
    for index, label, full in objects:
        ys, xs = np.nonzero(owner == index)
        if full == 0 or len(xs) < min_visible * full:
            continue
        annotations.append((label, (float(xs.min()), float(ys.min()), float(xs.max() + 1),
                                    float(ys.max() + 1))))
    return image.filter(ImageFilter.GaussianBlur(radius=0.4)), annotations


def make_split(root, split, num_images, seed=0, **render_options):
    """Writes ``root/<split>/*.png`` and ``root/annotations/instances_<split>.json``.

    Args:
        root (str | Path): Output folder.
        split (str): Split name, e.g. 'train' or 'val'.
        num_images (int): Number of images.
        seed (int): Seed; the same seed, split and options give the same files.
        **render_options: See :func:`render_image` (size, max_objects, clutter, ...).

    Returns:
        Path: The annotation file.
    """
    rng = np.random.default_rng([seed, *split.encode()])
    image_dir = Path(root, split)
    image_dir.mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    for image_id in range(1, num_images + 1):
        image, objects = render_image(rng, **render_options)
        file_name = f'{image_id:06d}.png'
        image.save(image_dir / file_name)
        images.append(dict(id=image_id, file_name=file_name, width=image.width,
                           height=image.height))
        for label, (x1, y1, x2, y2) in objects:
            annotations.append(dict(id=len(annotations) + 1, image_id=image_id,
                                    category_id=label + 1, bbox=[x1, y1, x2 - x1, y2 - y1],
                                    area=(x2 - x1) * (y2 - y1), iscrowd=0))
    annotation_file = Path(root, 'annotations', f'instances_{split}.json')
    annotation_file.parent.mkdir(parents=True, exist_ok=True)
    categories = [dict(id=i + 1, name=name) for i, name in enumerate(CLASSES)]
    annotation_file.write_text(json.dumps(dict(images=images, annotations=annotations,
                                               categories=categories)))
    return annotation_file


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', help='output folder (train/, val/, annotations/)')
    parser.add_argument('--train', type=int, default=800, help='training images')
    parser.add_argument('--val', type=int, default=200, help='validation images')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--size', type=int, default=160, help='image side in pixels')
    parser.add_argument('--max-objects', type=int, default=6)
    parser.add_argument('--min-scale', type=float, default=0.1, help='object side / image side')
    parser.add_argument('--max-scale', type=float, default=0.45)
    parser.add_argument('--max-aspect', type=float, default=1.6)
    parser.add_argument('--clutter', type=int, default=4, help='max distractors per image')
    parser.add_argument('--texture', type=float, default=1.0, help='background texture, 0-1')
    parser.add_argument('--min-visible', type=float, default=0.4,
                        help='drop objects with less of their area visible')
    args = parser.parse_args(argv)
    options = dict(size=args.size, max_objects=args.max_objects, min_scale=args.min_scale,
                   max_scale=args.max_scale, max_aspect=args.max_aspect, clutter=args.clutter,
                   texture=args.texture, min_visible=args.min_visible)
    for split, count in (('train', args.train), ('val', args.val)):
        path = make_split(args.root, split, count, seed=args.seed, **options)
        print(f'{split}: {count} images -> {path}')


if __name__ == '__main__':
    main()
