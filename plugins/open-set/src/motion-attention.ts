/**
 * Expression-sensitive temporal attention (our replacement for HESP's visual prompt, see README):
 * frame t of a clip gets the score  s_t = f_t · u + α · m_t,  where f_t is its CLIP embedding, m_t
 * its standardised facial motion (landmark displacement) and u, α are learned; the video embedding
 * is Σ_t softmax(s)_t f_t. With u = 0 and α = 0 (the init) it is exactly HESP's mean of the frames,
 * so training starts from the reference model and learns which frames carry the expression.
 */
import { add, matmul, mul, reshape, softmax, zeros, type Tensor, Module } from '@visage/core/compute';

export class MotionTemporalAttention extends Module {
  /** Content query u [D, 1]. */
  readonly query: Tensor;
  /** Motion gain α [1]. */
  readonly motionGain: Tensor;

  constructor(readonly dim: number) {
    super();
    this.query = this.param('query', zeros([dim, 1]));
    this.motionGain = this.param('motionGain', zeros([1]));
  }

  /** Attention weights [B, T] for frames [B, T, D] and standardised motion [B, T]. */
  weights(frames: Tensor, motion: Tensor): Tensor {
    const [b, t] = frames.shape;
    const content = reshape(matmul(reshape(frames, [b * t, this.dim]), this.query), [b, t]);
    return softmax(add(content, mul(motion, this.motionGain)));
  }

  /** Pooled video embeddings [B, D]. */
  forward(frames: Tensor, motion: Tensor): Tensor {
    const [b, t] = frames.shape;
    return reshape(matmul(reshape(this.weights(frames, motion), [b, 1, t]), frames), [b, this.dim]);
  }
}
