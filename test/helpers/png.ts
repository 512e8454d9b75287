import { inflateSync } from 'node:zlib';

// Enough of PNG to tell a screenshot from a blank one: the pixels of an 8-bit RGB or RGBA
// image (what Chromium writes), unfiltered, and how many distinct colours they hold.

export function distinctColours(png: Buffer): number {
  const { width, height, channels, pixels } = decodePng(png);
  const colours = new Set<number>();
  for (let index = 0; index < width * height * channels; index += channels) {
    colours.add((pixels[index]! << 16) | (pixels[index + 1]! << 8) | pixels[index + 2]!);
  }
  return colours.size;
}

function decodePng(png: Buffer) {
  if (png.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('latin1');
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colourType] = [body[8], body[9]];
      if (depth !== 8 || (colourType !== 2 && colourType !== 6)) {
        throw new Error(
          `only 8-bit RGB(A) PNGs are read here, got depth ${depth} type ${colourType}`,
        );
      }
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x += 1) {
      const at = y * stride + x;
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= channels ? pixels[at - channels]! : 0;
      const up = y > 0 ? pixels[at - stride]! : 0;
      const upLeft = x >= channels && y > 0 ? pixels[at - stride - channels]! : 0;
      pixels[at] = (value + predict(filter, left, up, upLeft)) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

function predict(filter: number, left: number, up: number, upLeft: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return (left + up) >> 1;
    case 4: {
      const p = left + up - upLeft;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
      return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    }
    default:
      throw new Error(`unknown PNG filter ${filter}`);
  }
}
